import { parseArgs } from 'node:util';
import { ConfigError } from '../config/index.js';

/** What the command line asked for. */
export interface CliArgs {
  help: boolean;
  version: boolean;
  configFile: string | undefined;
  /** Dotted config paths set by flags, applied over file and env. */
  overrides: Record<string, unknown>;
}

export const USAGE = `Usage: zenlive [--config FILE] [--rtmp-port N] [--http-port N] [--log-level LEVEL]
       zenlive user add NAME --role ROLE [--users-file FILE]
       zenlive audit verify FILE

Starts the ZenLive live-streaming server. Without a config file it runs the embedded default:
RTMP on 1935, HTTP on 8080, everything in memory.

Options:
  -c, --config FILE      JSON config file (snake_case keys, see examples/config/)
      --rtmp-port N      RTMP listen port (streaming.rtmp.port)
      --http-port N      HTTP listen port (server.http_port)
      --host ADDR        listen address (server.host)
      --log-level LEVEL  trace|debug|info|warn|error|fatal|silent (logging.level)
  -h, --help             show this help
  -v, --version          print the version

Environment: ZENLIVE_CONFIG=FILE, and ZENLIVE_SECTION__KEY=value for any key
(e.g. ZENLIVE_STREAMING__RTMP__PORT=1936). Flags beat env, env beats the file.`;

function portFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new ConfigError([`--${name}: expected a port number, got "${value}"`]);
  return Number(value);
}

/** Parses argv (without node and script); an unknown flag is a ConfigError naming it. */
export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', short: 'c' },
        'rtmp-port': { type: 'string' },
        'http-port': { type: 'string' },
        host: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    }));
  } catch (err) {
    throw new ConfigError([(err as Error).message], { cause: err });
  }
  const overrides: Record<string, unknown> = {
    'streaming.rtmp.port': portFlag('rtmp-port', values['rtmp-port']),
    'server.http_port': portFlag('http-port', values['http-port']),
    'server.host': values.host,
    'logging.level': values['log-level'],
  };
  return {
    help: values.help === true,
    version: values.version === true,
    configFile: values.config ?? env['ZENLIVE_CONFIG'],
    overrides,
  };
}
