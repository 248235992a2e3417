export { RoomService, type RoomServiceOptions } from './room-service.js';
export { registerRoomSignaling, type RoomRouteOptions } from './ws-route.js';
export type { RoomHost, RoomAction, RoomSnapshot, ConnectionState } from './room-host.js';
export { RoomWorkerPool, type RoomWorkerPoolOptions } from './room-worker-pool.js';
export { RoomError, type RoomErrorCode } from './errors.js';
export type { RoomIdentity } from './participant.js';
export { RTC_PROTOCOL_VERSION, parseRtcClientFrame, encodeRtcServerFrame, type RtcClientFrame, type RtcServerFrame, type ParticipantInfo, type TrackInfo } from './protocol.js';
export type { SubscriptionStats } from './subscription-forwarder.js';
export { registerRoomRoutes, ROOM_CLIENT_URL, RoomTokenRequest, type RoomRouteGuards } from './routes.js';
