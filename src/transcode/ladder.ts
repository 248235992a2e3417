/** One rung of the ABR ladder: a transcoded rendition. */
export interface RenditionSpec {
  /** URL-safe name, e.g. `720p`; the source rendition is always `source`. */
  name: string;
  height: number;
  videoBitrateKbps: number;
  audioBitrateKbps: number;
  /** Output frame rate; the source's when omitted. */
  fps?: number;
}

/** How the ladder runs. */
export interface LadderOptions {
  renditions: readonly RenditionSpec[];
  /** Start transcoders with the stream, or when the master playlist is first requested. */
  start: 'with-stream' | 'on-request';
  ffmpegPath: string;
  /** x264 preset: speed against quality per CPU. */
  preset: string;
  /** Keyframe interval of the renditions, matching the segment target so segments line up. */
  keyframeIntervalSeconds: number;
  /** Restart delays after a crash: from `minRestartMs`, doubling, capped at `maxRestartMs`. */
  minRestartMs: number;
  maxRestartMs: number;
  /**
   * A watermark laid over every transcoded rendition: extra ffmpeg inputs (an image) and a filter
   * graph reading the label `scaled` and writing `outputLabel`.
   */
  watermark?: { inputs: readonly string[]; filterComplex: string; outputLabel: string };
}

/** The ffmpeg arguments of one rendition: FLV in on stdin, FLV out on stdout, nothing else. */
export function transcoderArgs(spec: RenditionSpec, options: LadderOptions): string[] {
  const v = spec.videoBitrateKbps;
  const gop = options.keyframeIntervalSeconds;
  // -2 keeps the aspect ratio with an even width, as H.264 4:2:0 needs.
  const scale = `scale=-2:${spec.height}${spec.fps !== undefined ? `,fps=${spec.fps}` : ''}`;
  const wm = options.watermark;
  const video = wm === undefined ? ['-map', '0:v:0', '-vf', scale] : ['-filter_complex', `[0:v:0]${scale}[scaled];${wm.filterComplex}`, '-map', `[${wm.outputLabel}]`];
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-fflags', '+nobuffer+genpts', '-f', 'flv', '-i', 'pipe:0',
    ...(wm?.inputs ?? []),
    ...video,
    '-map', '0:a:0?',
    '-c:v', 'libx264', '-preset', options.preset, '-tune', 'zerolatency', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
    '-b:v', `${v}k`, '-maxrate', `${Math.round(v * 1.1)}k`, '-bufsize', `${v * 2}k`,
    // Keyframes at the segment target, at the same times in every rendition, so segments align.
    '-force_key_frames', `expr:gte(t,n_forced*${gop})`, '-sc_threshold', '0', '-bf', '0',
    '-c:a', 'aac', '-b:a', `${spec.audioBitrateKbps}k`, '-ac', '2',
    '-f', 'flv', '-flvflags', 'no_duration_filesize', 'pipe:1',
  ];
}
