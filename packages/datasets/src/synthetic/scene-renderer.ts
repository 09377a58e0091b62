// Ray-cast renderer of the synthetic "scenes" set: a pitched pinhole camera over a floor, a back wall and maybe a
// side wall, with spheres, boxes (turned about the vertical) and upright cylinders standing on the floor. One ray
// per pixel gives the per-pixel buffers every scene task is derived from (instance, class, z-depth, camera-frame
// normal, Lambert shading, curvature); the image is albedo × shading × floor texture + Gaussian noise.
import { RandomSource } from '@partial-mtl/core';

/** Semantic classes of the scenes, in class-id order. */
export const sceneClassNames = ['floor', 'wall', 'sphere', 'box', 'cylinder'] as const;

const floorClass = 0;
const wallClass = 1;
const sphereClass = 2;
const boxClass = 3;
const cylinderClass = 4;

const baseAlbedo: readonly (readonly [number, number, number])[] = [
  [0.55, 0.45, 0.35],
  [0.8, 0.78, 0.72],
  [0.85, 0.25, 0.2],
  [0.25, 0.4, 0.85],
  [0.25, 0.7, 0.3],
];

interface SceneObject {
  readonly semanticClass: number;
  /** Centre (box, sphere) or base centre (cylinder), world frame. */
  readonly x: number;
  readonly y: number;
  readonly z: number;
  /** Sphere and cylinder radius; box half-size along x. */
  readonly radius: number;
  /** Box half-sizes along y and z; cylinder height in `halfHeight`. */
  readonly halfHeight: number;
  readonly halfDepth: number;
  /** Box turn about the vertical axis. */
  readonly cosTurn: number;
  readonly sinTurn: number;
  readonly albedo: readonly [number, number, number];
}

/** The per-pixel buffers of one rendered scene (row-major, H×W or H×W×3). */
export interface RenderedScene {
  readonly height: number;
  readonly width: number;
  readonly image: Float32Array;
  readonly semanticClass: Float32Array;
  readonly instance: Int32Array;
  /** Camera z-depth in metres (every pixel hits a surface, so all are valid, > 0). */
  readonly depth: Float32Array;
  /** Unit normals in the camera frame: x right, y up, z towards the viewer. */
  readonly normal: Float32Array;
  /** Lambert shading n·l clipped at 0, without albedo or texture, in [0, 1]. */
  readonly shading: Float32Array;
  /** 1/radius on spheres and cylinder sides, 0 on planes. */
  readonly curvature: Float32Array;
}

/** Deterministic seed of scene `index` in a set seeded with `seed`. */
export function sceneSeed(seed: number, index: number): number {
  return (Math.imul((seed >>> 0) ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) >>> 0;
}

function drawObjects(random: RandomSource, wallDistance: number): SceneObject[] {
  const count = random.intBetween(2, 4);
  const objects: SceneObject[] = [];
  for (let i = 0; i < count; i++) {
    const semanticClass = random.pick([sphereClass, boxClass, cylinderClass]);
    const z = 2.5 + random.next() * (wallDistance - 3.5);
    const x = (random.next() * 2 - 1) * z * 0.3;
    const radius = 0.3 + random.next() * 0.4;
    const turn = random.next() * Math.PI;
    const base = baseAlbedo[semanticClass]!;
    const albedo = base.map((value) =>
      Math.min(1, Math.max(0, value + (random.next() - 0.5) * 0.2)),
    ) as unknown as [number, number, number];
    const halfHeight = semanticClass === cylinderClass ? 0.5 + random.next() : 0.25 + random.next() * 0.35;
    const halfDepth = 0.25 + random.next() * 0.35;
    const y = semanticClass === sphereClass ? radius : semanticClass === boxClass ? halfHeight : 0;
    objects.push({
      semanticClass,
      x,
      y,
      z,
      radius,
      halfHeight,
      halfDepth,
      cosTurn: Math.cos(turn),
      sinTurn: Math.sin(turn),
      albedo,
    });
  }
  return objects;
}

/** Renders scene `index` of a set at height×width. */
export function renderScene(
  seed: number,
  index: number,
  height: number,
  width: number,
  noise = 0.02,
): RenderedScene {
  const random = new RandomSource(sceneSeed(seed, index));
  const pitch = 0.15 + random.next() * 0.2;
  const cameraHeight = 1.2 + random.next() * 0.4;
  const wallDistance = 6 + random.next() * 3;
  const sideWall = random.next() < 0.5 ? 0 : (random.next() < 0.5 ? -1 : 1) * (2.5 + random.next());
  const lightRaw = [random.next() * 1.2 - 0.6, 1, -0.2 - random.next() * 0.6];
  const lightNorm = Math.hypot(lightRaw[0]!, lightRaw[1]!, lightRaw[2]!);
  const [lx, ly, lz] = lightRaw.map((value) => value / lightNorm) as [number, number, number];
  const floorAlbedo = baseAlbedo[floorClass]!.map((v) => v + (random.next() - 0.5) * 0.15);
  const wallAlbedo = baseAlbedo[wallClass]!.map((v) => Math.min(1, v + (random.next() - 0.5) * 0.15));
  const objects = drawObjects(random, wallDistance);

  const pixels = height * width;
  const scene: RenderedScene = {
    height,
    width,
    image: new Float32Array(pixels * 3),
    semanticClass: new Float32Array(pixels),
    instance: new Int32Array(pixels),
    depth: new Float32Array(pixels),
    normal: new Float32Array(pixels * 3),
    shading: new Float32Array(pixels),
    curvature: new Float32Array(pixels),
  };
  const focal = 0.9 * Math.max(width, height);
  const cosPitch = Math.cos(pitch);
  const sinPitch = Math.sin(pitch);
  for (let row = 0; row < height; row++) {
    const v = (height / 2 - row - 0.5) / focal;
    for (let column = 0; column < width; column++) {
      const u = (column + 0.5 - width / 2) / focal;
      // Camera-frame direction (u, v, 1) pitched down about x; depth along the camera axis is then t.
      const dx = u;
      const dy = v * cosPitch - sinPitch;
      const dz = v * sinPitch + cosPitch;
      let t = Number.POSITIVE_INFINITY;
      let nx = 0;
      let ny = 0;
      let nz = 0;
      let semanticClass = floorClass;
      let instance = 0;
      let curvature = 0;
      let albedo: readonly number[] = floorAlbedo;
      if (dy < 0) {
        t = cameraHeight / -dy;
        ny = 1;
      }
      const wallT = wallDistance / dz;
      if (dz > 0 && wallT < t) {
        t = wallT;
        nx = 0;
        ny = 0;
        nz = -1;
        semanticClass = wallClass;
        instance = 1;
        albedo = wallAlbedo;
      }
      if (sideWall !== 0 && dx * sideWall > 0) {
        const sideT = sideWall / dx;
        if (sideT < t) {
          t = sideT;
          nx = -Math.sign(sideWall);
          ny = 0;
          nz = 0;
          semanticClass = wallClass;
          instance = 2;
          albedo = wallAlbedo;
        }
      }
      for (let o = 0; o < objects.length; o++) {
        const object = objects[o]!;
        // Ray origin relative to the object's centre / base.
        const ox = -object.x;
        const oy = cameraHeight - object.y;
        const oz = -object.z;
        if (object.semanticClass === sphereClass) {
          const a = dx * dx + dy * dy + dz * dz;
          const b = ox * dx + oy * dy + oz * dz;
          const c = ox * ox + oy * oy + oz * oz - object.radius * object.radius;
          const discriminant = b * b - a * c;
          if (discriminant < 0) continue;
          const hit = (-b - Math.sqrt(discriminant)) / a;
          if (hit > 0 && hit < t) {
            t = hit;
            nx = (ox + hit * dx) / object.radius;
            ny = (oy + hit * dy) / object.radius;
            nz = (oz + hit * dz) / object.radius;
            semanticClass = sphereClass;
            instance = 3 + o;
            curvature = 1 / object.radius;
            albedo = object.albedo;
          }
        } else if (object.semanticClass === boxClass) {
          // Slab test in the box frame (turned about y).
          const c = object.cosTurn;
          const s = object.sinTurn;
          const lox = c * ox + s * oz;
          const loz = -s * ox + c * oz;
          const ldx = c * dx + s * dz;
          const ldz = -s * dx + c * dz;
          const origin = [lox, oy, loz];
          const direction = [ldx, dy, ldz];
          const half = [object.radius, object.halfHeight, object.halfDepth];
          let near = Number.NEGATIVE_INFINITY;
          let far = Number.POSITIVE_INFINITY;
          let axis = -1;
          let sign = 0;
          for (let k = 0; k < 3; k++) {
            const dk = direction[k]!;
            const ok = origin[k]!;
            const hk = half[k]!;
            if (Math.abs(dk) < 1e-12) {
              if (Math.abs(ok) > hk) near = Number.POSITIVE_INFINITY;
              continue;
            }
            const t1 = (-hk - ok) / dk;
            const t2 = (hk - ok) / dk;
            const enter = Math.min(t1, t2);
            if (enter > near) {
              near = enter;
              axis = k;
              sign = t1 < t2 ? -1 : 1;
            }
            far = Math.min(far, Math.max(t1, t2));
          }
          if (near <= far && near > 0 && near < t && axis >= 0) {
            t = near;
            const local = [0, 0, 0];
            local[axis] = sign;
            nx = c * local[0]! - s * local[2]!;
            ny = local[1]!;
            nz = s * local[0]! + c * local[2]!;
            semanticClass = boxClass;
            instance = 3 + o;
            curvature = 0;
            albedo = object.albedo;
          }
        } else {
          const r = object.radius;
          const a = dx * dx + dz * dz;
          const b = ox * dx + oz * dz;
          const c = ox * ox + oz * oz - r * r;
          const discriminant = b * b - a * c;
          if (discriminant >= 0 && a > 0) {
            const side = (-b - Math.sqrt(discriminant)) / a;
            const sideY = oy + side * dy;
            if (side > 0 && side < t && sideY >= 0 && sideY <= object.halfHeight) {
              t = side;
              nx = (ox + side * dx) / r;
              ny = 0;
              nz = (oz + side * dz) / r;
              semanticClass = cylinderClass;
              instance = 3 + o;
              curvature = 1 / r;
              albedo = object.albedo;
            }
          }
          if (dy < 0) {
            const top = (object.halfHeight - oy) / dy;
            const px = ox + top * dx;
            const pz = oz + top * dz;
            if (top > 0 && top < t && px * px + pz * pz <= r * r) {
              t = top;
              nx = 0;
              ny = 1;
              nz = 0;
              semanticClass = cylinderClass;
              instance = 3 + o;
              curvature = 0;
              albedo = object.albedo;
            }
          }
        }
      }
      const pixel = row * width + column;
      const shading = Math.max(0, nx * lx + ny * ly + nz * lz);
      let texture = 1;
      if (instance === 0) {
        const worldX = t * dx;
        const worldZ = t * dz;
        texture = (Math.floor(worldX * 1.5) + Math.floor(worldZ * 1.5)) & 1 ? 0.85 : 1;
      }
      const light = (0.3 + 0.7 * shading) * texture;
      for (let channel = 0; channel < 3; channel++) {
        const value = albedo[channel]! * light + noise * random.normal();
        scene.image[pixel * 3 + channel] = Math.min(1, Math.max(0, value));
      }
      scene.semanticClass[pixel] = semanticClass;
      scene.instance[pixel] = instance;
      scene.depth[pixel] = t;
      // World normal to the camera frame (undo the pitch), then flip z so it points towards the viewer.
      scene.normal[pixel * 3] = nx;
      scene.normal[pixel * 3 + 1] = ny * cosPitch + nz * sinPitch;
      scene.normal[pixel * 3 + 2] = -(-ny * sinPitch + nz * cosPitch);
      scene.shading[pixel] = shading;
      scene.curvature[pixel] = curvature;
    }
  }
  return scene;
}
