export { DirectTrackOut } from './direct-track-out.js';
export { loadNativeSrtp, nativeSrtpUnavailable, SrtpProfile, type NativeSrtp, type NativeSrtpTrack, type SrtpProfileId } from './native-srtp.js';
export { socketFd } from './socket-fd.js';
