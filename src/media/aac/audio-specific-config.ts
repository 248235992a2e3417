import { ParseError } from '../../base/index.js';
import { BitReader } from '../bits/bit-reader.js';
import { BitWriter } from '../bits/bit-writer.js';
import { AacUnsupportedConfigError } from './errors.js';
import { readPceChannelCount } from './program-config.js';
import { AAC_SAMPLE_RATES, channelsForConfig, configForChannels, EXPLICIT_RATE_INDEX } from './sampling.js';

/** A parsed AudioSpecificConfig (ISO 14496-3 §1.6.2.1). */
export interface AudioSpecificConfig {
  /** audioObjectType as signalled first (5 or 29 for explicit HE-AAC / HE-AACv2). */
  objectType: number;
  /** The core coder's object type (2 = LC under HE-AAC); what an ADTS header carries. */
  coreObjectType: number;
  /** Core samplingFrequencyIndex, 15 when the rate is explicit. */
  samplingFrequencyIndex: number;
  /** Core sampling rate. */
  sampleRate: number;
  /** Rate after SBR when SBR is signalled explicitly, else the core rate. */
  outputSampleRate: number;
  channelConfig: number;
  /** Output channels (PS turns mono into stereo); 0 if unknown. */
  channels: number;
  sbr: boolean;
  ps: boolean;
}

const AOT_SBR = 5;
const AOT_PS = 29;
const AOT_ER_BSAC = 22;
// §1.6.2.1: object types whose config is a GASpecificConfig
const GA_TYPES = new Set([1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23]);
// §1.6.5: syncExtensionType values of backward-compatible explicit SBR/PS signalling
const SYNC_EXTENSION_SBR = 0x2b7;
const SYNC_EXTENSION_PS = 0x548;

/** Parses an AudioSpecificConfig (the body of an FLV AAC sequence header). */
export function parseAudioSpecificConfig(buf: Buffer): AudioSpecificConfig {
  const r = new BitReader(buf, 0, 'AudioSpecificConfig');
  const objectType = readObjectType(r);
  if (objectType === 0) r.fail('audioObjectType 0 is null');
  const samplingFrequencyIndex = r.u(4);
  const sampleRate = readSampleRate(r, samplingFrequencyIndex);
  const channelConfig = r.u(4);
  const asc: AudioSpecificConfig = {
    objectType,
    coreObjectType: objectType,
    samplingFrequencyIndex,
    sampleRate,
    outputSampleRate: sampleRate,
    channelConfig,
    channels: channelsForConfig(channelConfig),
    sbr: false,
    ps: false,
  };
  if (objectType === AOT_SBR || objectType === AOT_PS) {
    // explicit hierarchical signalling: the SBR rate, then the core object type
    asc.sbr = true;
    asc.ps = objectType === AOT_PS;
    asc.outputSampleRate = readSampleRate(r, r.u(4));
    asc.coreObjectType = readObjectType(r);
    if (asc.coreObjectType === AOT_ER_BSAC) r.skip(4); // extensionChannelConfiguration
  }
  if (GA_TYPES.has(asc.coreObjectType)) readGaSpecificConfig(r, asc);
  if (asc.ps && asc.channels === 1) asc.channels = 2;
  return asc;
}

function readObjectType(r: BitReader): number {
  const aot = r.u(5);
  // §1.6.2.1 GetAudioObjectType(): 31 escapes to 32 + 6 more bits
  return aot === 31 ? 32 + r.u(6) : aot;
}

function readSampleRate(r: BitReader, index: number): number {
  if (index === EXPLICIT_RATE_INDEX) {
    const rate = r.u(24);
    if (rate === 0) r.fail('explicit sampling frequency 0');
    return rate;
  }
  const rate = AAC_SAMPLE_RATES[index];
  if (rate === undefined) r.fail(`reserved samplingFrequencyIndex ${index}`);
  return rate;
}

/** GASpecificConfig (§4.4.1), for the PCE channel count and the trailing SBR/PS sync extension. */
function readGaSpecificConfig(r: BitReader, asc: AudioSpecificConfig): void {
  r.skip(1); // frameLengthFlag
  if (r.flag()) r.skip(14); // dependsOnCoreCoder → coreCoderDelay
  const extensionFlag = r.flag();
  if (asc.channelConfig === 0) asc.channels = readPceChannelCount(r);
  if (asc.coreObjectType === 6 || asc.coreObjectType === 20) r.skip(3); // layerNr
  if (extensionFlag) {
    if (asc.coreObjectType === AOT_ER_BSAC) r.skip(16); // numOfSubFrame, layer_length
    if ([17, 19, 20, 23].includes(asc.coreObjectType)) r.skip(3); // resilience flags
    r.skip(1); // extensionFlag3
  }
  if (asc.sbr || r.bitsLeft < 16) return;
  try {
    readSyncExtension(r, asc);
  } catch (err) {
    // the backward-compatible extension is optional: padding that looks like one is ignored
    if (!(err instanceof ParseError)) throw err;
  }
}

function readSyncExtension(r: BitReader, asc: AudioSpecificConfig): void {
  if (r.u(11) !== SYNC_EXTENSION_SBR) return;
  if (readObjectType(r) !== AOT_SBR || !r.flag()) return;
  const outputSampleRate = readSampleRate(r, r.u(4));
  asc.sbr = true;
  asc.outputSampleRate = outputSampleRate;
  if (r.bitsLeft >= 12 && r.u(11) === SYNC_EXTENSION_PS && r.flag()) asc.ps = true;
}

/** What an AudioSpecificConfig is built from. */
export interface AudioSpecificConfigInit {
  /** 1..4 (Main, LC, SSR, LTP); 2 = AAC-LC. */
  objectType: number;
  sampleRate: number;
  channels: number;
}

/** Builds a minimal AudioSpecificConfig (GASpecificConfig with no extensions), e.g. for audio transcoded to AAC. */
export function buildAudioSpecificConfig(init: AudioSpecificConfigInit): Buffer {
  if (!Number.isInteger(init.objectType) || init.objectType < 1 || init.objectType > 4) {
    throw new AacUnsupportedConfigError(`object type ${init.objectType} (only 1..4 can be built)`);
  }
  const channelConfig = configForChannels(init.channels);
  if (channelConfig === undefined) {
    throw new AacUnsupportedConfigError(`${init.channels} channels need a program config element`);
  }
  if (!Number.isInteger(init.sampleRate) || init.sampleRate <= 0 || init.sampleRate >= 2 ** 24) {
    throw new AacUnsupportedConfigError(`sample rate ${init.sampleRate}`);
  }
  const w = new BitWriter().u(5, init.objectType);
  const index = AAC_SAMPLE_RATES.indexOf(init.sampleRate);
  if (index >= 0) w.u(4, index);
  else w.u(4, EXPLICIT_RATE_INDEX).u(24, init.sampleRate);
  // frameLengthFlag, dependsOnCoreCoder, extensionFlag all 0
  return w.u(4, channelConfig).u(3, 0).toBuffer();
}
