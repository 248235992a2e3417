import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Options for the process logger; formats other than json still write one line per event. */
export interface LoggerSettings {
  level: LogLevel;
  format: 'json' | 'text';
  /** Where lines go; stdout when omitted. */
  destination?: NodeJS.WritableStream;
}

// Secrets that may reach a log line through request or session fields.
const REDACTED_PATHS = ['stream_key', 'token', 'authorization', '*.stream_key', '*.token', '*.authorization'];

/** Builds the root logger; components take `logger.child({ component })`. */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: undefined,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (settings.format === 'text') {
    return pino(options, settings.destination ?? textLines());
  }
  return pino(options, settings.destination ?? pino.destination({ sync: false }));
}

/** A silent logger for embedding and unit tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Renders pino's JSON lines as `time level component message key=value` without another dependency. */
function textLines(): NodeJS.WritableStream {
  const out = process.stdout;
  return {
    write(line: string): boolean {
      try {
        const { time, level, msg, component, ...rest } = JSON.parse(line) as Record<string, unknown>;
        const fields = Object.entries(rest)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
        return out.write(`${String(time)} ${String(level).toUpperCase().padEnd(5)} [${String(component ?? 'zenlive')}] ${String(msg)}${fields ? ' ' + fields : ''}\n`);
      } catch {
        return out.write(line);
      }
    },
  } as NodeJS.WritableStream;
}
