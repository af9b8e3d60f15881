// Live WebSocket channels: /ws/market (public market data), /ws/orders and /ws/portfolio (one
// user's own updates), /ws/security (security events, for administrators). Messages go out only
// after the events they carry are durable; one market view subscription and one security event
// subscription feed every connection, on whichever node the view is fed. The protocol is
// described in README.md.

import websocket from '@fastify/websocket';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { Identity } from '../../auth/index.ts';
import type { IpBlocks } from '../../defense/ip-blocks.ts';
import type {
  RecordedSecurityEvent,
  SecurityEventListener,
  SecurityEvents,
} from '../../defense/security-events.ts';
import { clientAddress, clientKey } from '../plugins/defense.ts';
import type { MarketView } from '../../market/market-view.ts';
import type { SecurityEventsRepo } from '../../store/security-events.repo.ts';
import { Connection } from './connection.ts';
import { Feed, type PrivateStream, type Session } from './feed.ts';
import { MarketSession } from './market-channel.ts';
import { PrivateSession } from './private-channel.ts';
import { SecuritySession } from './security-channel.ts';
import { Slots, type Slot, type SlotKind } from './slots.ts';
import {
  CLOSE,
  MAX_PAYLOAD_BYTES,
  chooseSubprotocol,
  hasTokenInUrl,
  subprotocolToken,
} from './protocol.ts';

/** Security events another node stored, for this node's administrators to see too. */
export interface SecurityEventSource {
  subscribe(listener: SecurityEventListener): () => void;
}

export interface WebsocketLimits {
  wsMaxConnections: number;
  wsMaxConnectionsPerIp: number;
  wsMaxConnectionsPerUser: number;
  wsHeartbeatIntervalSeconds: number;
}

export interface WebsocketOptions {
  /** What /ws/market streams, and the orders and balances the private channels start from. */
  market: MarketView;
  identity: Identity;
  /** The connection limits and the heartbeat interval; nothing else of the config. */
  config: WebsocketLimits;
  /** What /ws/security streams and reads its snapshot from. */
  security: {
    events: SecurityEvents;
    repo: SecurityEventsRepo;
    blocks: IpBlocks;
    /** In a cluster: the events the other nodes store. */
    others?: SecurityEventSource | undefined;
  };
  /** Counts an upgrade from an address (IPv6: its /64); throws (429) past the address's rate. */
  upgrades: (address: string) => Promise<void>;
  /** The clock of heartbeats; tests may pass their own. */
  now?: () => number;
}

function text(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

export const websocketRoutes: FastifyPluginAsync<WebsocketOptions> = async (app, options) => {
  const { market, identity, config, security } = options;
  const now = options.now ?? Date.now;

  await app.register(websocket, {
    options: {
      maxPayload: MAX_PAYLOAD_BYTES,
      perMessageDeflate: false,
      handleProtocols: (offered) => chooseSubprotocol(offered),
    },
    // A client that vanishes mid-frame is routine, not a server error.
    errorHandler: (error, socket, request) => {
      request.log.debug({ err: error }, 'websocket connection failed');
      socket.terminate();
    },
  });

  const feed = new Feed(market);
  const slots = new Slots({
    total: config.wsMaxConnections,
    perAddress: config.wsMaxConnectionsPerIp,
    perUser: config.wsMaxConnectionsPerUser,
  });
  const unsubscribe = market.subscribe({
    // The commands are already durable and answered: a fault here must not reach the exchange.
    committed(events) {
      try {
        feed.publish(events);
      } catch (error) {
        app.log.error({ err: error }, 'websocket fan-out failed');
      }
    },
    resynced(symbols) {
      try {
        feed.resynced(symbols);
      } catch (error) {
        app.log.error({ err: error }, 'websocket resync failed');
      }
    },
  });
  const securityEvent = (event: RecordedSecurityEvent): void => {
    try {
      feed.publishSecurity(event);
    } catch (error) {
      app.log.error({ err: error }, 'security event fan-out failed');
    }
  };
  const unsubscribeSecurity = [security.events, ...(security.others ? [security.others] : [])].map(
    (source) => source.subscribe(securityEvent),
  );
  const heartbeat = setInterval(() => {
    try {
      feed.tick(new Date(now()).toISOString());
    } catch (error) {
      app.log.error({ err: error }, 'websocket heartbeat failed');
    }
  }, config.wsHeartbeatIntervalSeconds * 1000);
  heartbeat.unref();
  app.addHook('onClose', () => {
    unsubscribe();
    for (const stop of unsubscribeSecurity) stop();
    clearInterval(heartbeat);
    for (const session of feed.sessions) session.end();
    feed.sessions.clear();
  });

  /** Admits a socket into a slot (or closes it with the reason) and wires it to its session. */
  function attach(
    socket: WebSocket,
    request: FastifyRequest,
    kind: SlotKind,
    start: (connection: Connection, slot: Slot) => Session,
  ): void {
    if (hasTokenInUrl(request.url)) {
      socket.close(CLOSE.UNAUTHENTICATED, 'send the token in an auth message, never in the URL');
      return;
    }
    const connection = new Connection(socket, now);
    const slot = slots.take(clientKey(request), kind, connection);
    if ('code' in slot) {
      socket.close(slot.code, slot.reason);
      return;
    }
    const session = start(connection, slot);
    feed.sessions.add(session);
    socket.on('message', (data, isBinary) => {
      try {
        if (isBinary) return connection.close(CLOSE.UNSUPPORTED, 'text frames only');
        if (!connection.admit()) return connection.close(CLOSE.POLICY, 'too many messages');
        session.receive(text(data));
      } catch (error) {
        request.log.error({ err: error }, 'websocket message failed');
        connection.close(CLOSE.INTERNAL_ERROR, 'internal error');
      }
    });
    socket.on('pong', () => connection.pong());
    socket.on('close', () => {
      slots.release(slot);
      feed.sessions.delete(session);
      session.end();
    });
  }

  // Before the upgrade: an address past its rate gets a plain 429 and no socket.
  const route = {
    websocket: true,
    config: { access: 'public', rateClass: 'account' },
    onRequest: (request: FastifyRequest) => options.upgrades(clientKey(request)),
  } as const;

  const marketRoute = { ...route, config: { access: 'public', rateClass: 'market' } } as const;
  app.get('/ws/market', marketRoute, (socket, request) => {
    attach(
      socket,
      request,
      'market',
      (connection) => new MarketSession(connection, feed, market, now),
    );
  });

  const privateChannel = (stream: PrivateStream) => (socket: WebSocket, request: FastifyRequest) =>
    attach(socket, request, 'private', (connection, slot) => {
      const token = subprotocolToken(request.headers['sec-websocket-protocol']);
      const deps = {
        feed,
        sessions: identity.sessions,
        market,
        log: app.log,
        now,
        signIn: (userId: number) => slots.signIn(slot, userId),
      };
      return new PrivateSession(connection, stream, deps, token);
    });
  app.get('/ws/orders', route, privateChannel('orders'));
  app.get('/ws/portfolio', route, privateChannel('portfolio'));

  app.get('/ws/security', route, (socket, request) => {
    attach(socket, request, 'private', (connection, slot) => {
      const token = subprotocolToken(request.headers['sec-websocket-protocol']);
      const deps = {
        feed,
        sessions: identity.sessions,
        log: app.log,
        now,
        signIn: (userId: number) => slots.signIn(slot, userId),
        events: security.events,
        repo: security.repo,
        blocks: security.blocks,
      };
      return new SecuritySession(connection, deps, clientAddress(request), token);
    });
  });
};
