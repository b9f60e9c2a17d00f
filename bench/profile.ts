import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that a summary needs. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
  }[];
  /** Microseconds on the system's monotonic clock (the one `process.hrtime` reads). */
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A span of the run on the monotonic clock, in microseconds: one bench phase. */
export interface TimeWindow {
  readonly name: string;
  readonly startUs: number;
  readonly endUs: number;
}

export interface ProfileShare {
  readonly name: string;
  readonly ms: number;
  /** Share of the window's busy (non-idle) time. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly window: string;
  readonly busyMs: number;
  readonly idleMs: number;
  /** Where busy time went, by package or source folder. */
  readonly areas: readonly ProfileShare[];
  /** The functions with the most self time. */
  readonly functions: readonly ProfileShare[];
}

/** The monotonic clock in microseconds, comparable with a profile's sample times. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Self time by area and by function, for the whole profile and for each window that lies inside it.
 * Sample `i` is charged the gap to the next sample, as Chrome's DevTools do.
 */
export function summarizeProfile(file: string, windows: readonly TimeWindow[], top = 12): ProfileSummary[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const times: number[] = [];
  let at = profile.startTime;
  for (const delta of profile.timeDeltas) {
    at += delta;
    times.push(at);
  }
  const whole: TimeWindow = { name: 'whole run', startUs: profile.startTime, endUs: profile.endTime };
  const inside = windows.filter((w) => w.startUs >= profile.startTime && w.endUs <= profile.endTime);
  return [whole, ...inside].map((window) => {
    const byArea = new Map<string, number>();
    const byFunction = new Map<string, number>();
    let busy = 0;
    let idle = 0;
    for (let i = 0; i < profile.samples.length; i++) {
      const time = times[i]!;
      if (time < window.startUs || time >= window.endUs) continue;
      const next = times[i + 1] ?? profile.endTime;
      const us = Math.max(0, next - time);
      const frame = frames.get(profile.samples[i]!);
      if (!frame || frame.functionName === '(idle)') {
        idle += us;
        continue;
      }
      busy += us;
      const area = areaOf(frame.url, frame.functionName);
      byArea.set(area, (byArea.get(area) ?? 0) + us);
      const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    }
    const shares = (map: Map<string, number>): ProfileShare[] =>
      [...map.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([name, us]) => ({ name, ms: us / 1000, share: busy > 0 ? us / busy : 0 }));
    return {
      window: window.name,
      busyMs: busy / 1000,
      idleMs: idle / 1000,
      areas: shares(byArea),
      functions: shares(byFunction),
    };
  });
}

/** `fastify`, `pino`, `src/store`, `node:internal`, `(garbage collector)`… */
function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module?.[1]) return module[1];
  const source = /\/dist\/(src\/[^/]+)\//.exec(url);
  if (source?.[1]) return source[1];
  if (url.startsWith('node:')) return 'node:internal';
  return shortUrl(url);
}

function shortUrl(url: string): string {
  const module = /node_modules\/(.*)$/.exec(url);
  if (module?.[1]) return module[1];
  const dist = /\/dist\/(.*)$/.exec(url);
  if (dist?.[1]) return dist[1];
  return url.replace(/^file:\/\//, '');
}
