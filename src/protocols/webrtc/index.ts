export { WebRtcService, type WebRtcCaller, type NegotiatedResource } from './webrtc-service.js';
export type { WebRtcSessionInfo, StreamDelivery } from './session-info.js';
export { registerWebRtcRoutes, type WebRtcRoutesOptions } from './routes.js';
export { WEBRTC_DEFAULTS, type WebRtcOptions, type IceServerOptions, type TurnSecretOptions } from './options.js';
export { WebRtcConfigError, WebRtcRequestError, WhepCounterOfferError, WebRtcErrorStatus, type WebRtcErrorCode } from './errors.js';
export { iceServersFor, iceServerLinks } from './ice-servers.js';
export { RoomService, RoomWorkerPool, registerRoomSignaling, registerRoomRoutes, RoomError, ROOM_CLIENT_URL, type ConnectionState, type RoomAction, type RoomHost, type RoomIdentity, type RoomServiceOptions, type RoomSnapshot, type RtcClientFrame, type RtcServerFrame } from './rooms/index.js';
export { nativeSrtpUnavailable } from './direct/index.js';
