/** Where a watermark sits on the picture. */
export type WatermarkPosition = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right' | 'center';

interface WatermarkCommon {
  position: WatermarkPosition;
  /** Distance from the nearest edges, pixels. */
  marginPx: number;
  /** 0 (invisible) to 1 (opaque). */
  opacity: number;
}

/** An image (PNG with alpha, JPEG...) laid over the video. */
export interface ImageWatermark extends WatermarkCommon {
  kind: 'image';
  imagePath: string;
  /** Scale the image to this width (height follows the aspect ratio); its own size when omitted. */
  widthPx?: number;
}

/** A line of text drawn over the video. */
export interface TextWatermark extends WatermarkCommon {
  kind: 'text';
  text: string;
  fontSizePx: number;
  /** An ffmpeg colour name or #RRGGBB. */
  color: string;
  /** A TTF/OTF file; fontconfig's default font when omitted. */
  fontFile?: string;
}

export type Watermark = ImageWatermark | TextWatermark;

/** ffmpeg arguments that apply a watermark: extra inputs, and a filter graph from `[0:v]` to `[outputLabel]`. */
export interface WatermarkFilter {
  /** Arguments to put after the main input, e.g. `['-i', 'logo.png']`. */
  inputs: string[];
  filterComplex: string;
  outputLabel: string;
}

// ffmpeg quoting, two levels (ffmpeg-filters §"Notes on filtergraph escaping"): first the
// option value, then the filter graph; keeps any text or path from ending the value early
function escapeOption(value: string): string {
  return value.replace(/[\\':]/g, (c) => `\\${c}`);
}

function escapeGraph(value: string): string {
  return value.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

/** Escapes a string for use as a filter option value inside a filter graph. */
export function filterValue(value: string): string {
  return escapeGraph(escapeOption(value));
}

function overlayPosition(p: WatermarkPosition, m: number): string {
  switch (p) {
    case 'top-left':
      return `x=${m}:y=${m}`;
    case 'top-right':
      return `x=W-w-${m}:y=${m}`;
    case 'bottom-left':
      return `x=${m}:y=H-h-${m}`;
    case 'bottom-right':
      return `x=W-w-${m}:y=H-h-${m}`;
    case 'center':
      return `x=(W-w)/2:y=(H-h)/2`;
  }
}

function textPosition(p: WatermarkPosition, m: number): string {
  switch (p) {
    case 'top-left':
      return `x=${m}:y=${m}`;
    case 'top-right':
      return `x=w-tw-${m}:y=${m}`;
    case 'bottom-left':
      return `x=${m}:y=h-th-${m}`;
    case 'bottom-right':
      return `x=w-tw-${m}:y=h-th-${m}`;
    case 'center':
      return `x=(w-tw)/2:y=(h-th)/2`;
  }
}

function clampOpacity(o: number): string {
  return Math.min(1, Math.max(0, o)).toFixed(3);
}

/**
 * Builds the ffmpeg filter graph that lays `watermark` over input `videoInput` (default `0:v`);
 * an image watermark becomes input number `imageInputIndex` (default 1). Used by transcoders for
 * their renditions and by the recorder when recordings are to be watermarked.
 */
export function buildWatermarkFilter(watermark: Watermark, options: { videoInput?: string; imageInputIndex?: number; outputLabel?: string } = {}): WatermarkFilter {
  const video = options.videoInput ?? '0:v';
  const out = options.outputLabel ?? 'watermarked';
  const margin = Math.max(0, Math.round(watermark.marginPx));
  if (watermark.kind === 'image') {
    const index = options.imageInputIndex ?? 1;
    const scale = watermark.widthPx !== undefined ? `scale=${Math.round(watermark.widthPx)}:-1,` : '';
    // the logo's alpha is multiplied by the opacity, so transparent logos stay transparent; a single
    // image input is enough: overlay repeats the last logo frame (eof_action=repeat) for the whole video
    const logo = `[${index}:v]${scale}format=rgba,colorchannelmixer=aa=${clampOpacity(watermark.opacity)}[wm_logo]`;
    const overlay = `[${video}][wm_logo]overlay=${overlayPosition(watermark.position, margin)}:format=auto,format=yuv420p[${out}]`;
    return { inputs: ['-i', watermark.imagePath], filterComplex: `${logo};${overlay}`, outputLabel: out };
  }
  const font = watermark.fontFile !== undefined ? `:fontfile=${filterValue(watermark.fontFile)}` : '';
  const draw =
    `drawtext=expansion=none:text=${filterValue(watermark.text)}${font}:fontsize=${Math.round(watermark.fontSizePx)}` +
    `:fontcolor=${filterValue(watermark.color)}@${clampOpacity(watermark.opacity)}:${textPosition(watermark.position, margin)}`;
  return { inputs: [], filterComplex: `[${video}]${draw}[${out}]`, outputLabel: out };
}
