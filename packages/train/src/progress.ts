// Progress display: a cli-progress bar with step rate and ETA on a TTY, plain lines (every ~5% of the run)
// when stderr is not a TTY (CI, log files), or nothing.
import cliProgress from 'cli-progress';

export interface ProgressReporter {
  update(step: number, loss: number): void;
  stop(): void;
}

export function createProgress(
  mode: 'auto' | 'bar' | 'lines' | 'none',
  totalSteps: number,
  startStep: number,
  label: string,
  log: (line: string) => void,
): ProgressReporter {
  const useBar = mode === 'bar' || (mode === 'auto' && process.stderr.isTTY === true);
  if (mode === 'none') return { update: () => {}, stop: () => {} };
  if (useBar) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} steps | {rate} steps/s | ETA {eta_formatted} | loss {loss}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = Date.now();
    bar.start(totalSteps, startStep, { rate: '0.00', loss: '-' });
    return {
      update(step, loss) {
        const seconds = (Date.now() - started) / 1000;
        const rate = seconds > 0 ? ((step - startStep) / seconds).toFixed(2) : '0.00';
        bar.update(step, { rate, loss: loss.toFixed(4) });
      },
      stop: () => bar.stop(),
    };
  }
  const started = Date.now();
  const every = Math.max(1, Math.round(totalSteps / 20));
  return {
    update(step, loss) {
      if (step % every !== 0 && step !== totalSteps) return;
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? (step - startStep) / seconds : 0;
      const eta = rate > 0 ? Math.round((totalSteps - step) / rate) : 0;
      log(
        `${label} step ${step}/${totalSteps} loss ${loss.toFixed(4)} ${rate.toFixed(2)} steps/s ETA ${eta}s`,
      );
    },
    stop: () => {},
  };
}
