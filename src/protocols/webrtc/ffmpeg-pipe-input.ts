/**
 * The start of an ffmpeg command line that reads `format` from stdin as it comes: no probing
 * delay and no input buffering, so a live stream's first packets go through at once.
 */
export function ffmpegPipeInput(format: string): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-nostdin', '-probesize', '32', '-analyzeduration', '0', '-fflags', 'nobuffer', '-f', format, '-i', 'pipe:0'];
}
