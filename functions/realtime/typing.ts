/**
 * {"action":"typing","channelId":N} on a subscribed channel the caller may still read: the other
 * users' connections get a typing event, at most one per user and channel every TYPING_INTERVAL_MS
 * (the rest are dropped).
 */
import { channelAccess } from '../../lib/authz/channels';
import { isSubscribed } from '../../lib/realtime/connections';
import { publish } from '../../lib/realtime/publish';
import { connectionCaller } from '../../lib/realtime/sessions';
import { claimTypingSlot } from '../../lib/realtime/typing';
import { FrameError, frameHandler } from '../../lib/websocket/stack';
import { typingFrameSchema } from '../../shared/realtime-schema';

export const handler = frameHandler(
  'typing',
  typingFrameSchema,
  async ({ connectionId, frame, event, log }) => {
    // Counted at the time API Gateway received the frame, not when this function got to it.
    const receivedAt = event.requestContext.requestTimeEpoch;
    const caller = await connectionCaller(connectionId, log);
    if (!caller) throw new FrameError('UNAUTHORIZED', 'The session of this connection has ended');
    if (!(await isSubscribed(connectionId, frame.channelId))) {
      throw new FrameError('BAD_REQUEST', 'Subscribe to the channel before typing in it');
    }
    if (await claimTypingSlot(frame.channelId, caller.userId, receivedAt)) {
      // A subscription outlives its user's removal until the channel's next fan-out drops it:
      // the typist must still read the channel (NOT_FOUND otherwise), checked only for a frame
      // that would be forwarded.
      await channelAccess(caller, frame.channelId);
      const { channelId } = frame;
      const typing = { type: 'typing', channelId, userId: caller.userId } as const;
      await publish({ channelId, event: typing, exceptUserId: caller.userId }, log);
    }
    return undefined;
  },
);
