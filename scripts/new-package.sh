#!/usr/bin/env bash
# Scaffolds packages/<name> with the project's conventions. Usage: scripts/new-package.sh name "description"
set -euo pipefail
name=$1; desc=$2
d=packages/$name
mkdir -p $d/src $d/test
cat > $d/package.json <<JSON
{
  "name": "@partial-mtl/$name",
  "version": "0.1.0",
  "description": "$desc",
  "license": "MIT",
  "type": "module",
  "sideEffects": false,
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "exports": {
    "./package.json": "./package.json",
    ".": { "types": "./dist/index.d.ts", "import": "./dist/index.js", "default": "./dist/index.js" }
  },
  "files": ["dist/**", "README.md", "CHANGELOG.md"],
  "repository": { "type": "git", "url": "git+https://github.com/partial-mtl/partial-mtl.git", "directory": "packages/$name" },
  "publishConfig": { "access": "public" },
  "engines": { "node": ">=20" },
  "scripts": {
    "build": "tsc -p tsconfig.build.json",
    "typecheck": "tsc -p tsconfig.json --noEmit",
    "test": "vitest run --reporter=default --reporter=json --outputFile=test-results.json",
    "lint": "publint"
  },
  "peerDependencies": { "@tensorflow/tfjs": "^4.22.0" },
  "devDependencies": {
    "@tensorflow/tfjs": "4.22.0",
    "@types/node": "^20.19.0",
    "publint": "^0.3.12",
    "typescript": "~5.9.3",
    "vitest": "^4.0.0"
  }
}
JSON
cat > $d/tsconfig.json <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": ".", "noEmit": true },
  "include": ["src", "test"]
}
JSON
cat > $d/tsconfig.build.json <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist" },
  "include": ["src"]
}
JSON
cat > $d/vitest.config.ts <<TS
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000, pool: 'forks' },
});
TS
printf '# @partial-mtl/%s\n\n## 0.1.0\n\n- First release.\n' "$name" > $d/CHANGELOG.md
