// The WebSocket messages, as the server types them (src/http/ws/messages.ts; the protocol is
// in src/http/ws/README.md), narrowed by `type`.

import type { ServerMessage } from '../../../src/http/ws/messages.ts';

export type { ServerMessage };
export type MessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

export type BookSnapshot = MessageOf<'book_snapshot'>;
export type BookUpdate = MessageOf<'book_update'>;
export type TradePrint = MessageOf<'trade'>;
export type CandleBar = MessageOf<'candle'>['candle'];
