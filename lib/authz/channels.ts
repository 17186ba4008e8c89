/**
 * Who may do what in workspaces, channels and messages — every access rule of the HTTP API for this area, in
 * one place; handlers call these and nothing else decides access.
 *
 * Things the caller may not know exist answer 404 (a non-member never learns a workspace or channel
 * exists); a member who may see a thing but not change it gets 403.
 */
import type { Channel, Workspace } from '../../shared/schema';
import { ForbiddenError, NotFoundError } from '../http/errors';
import type { Caller } from '../http/types';
import { storage } from '../storage';

/** A workspace the caller is a member of, else 404. */
export async function memberWorkspace(caller: Caller, workspaceId: number): Promise<Workspace> {
  const workspace = await storage.getWorkspace(workspaceId);
  if (!workspace?.members.includes(caller.userId)) throw new NotFoundError('Workspace not found');
  return workspace;
}

/** A workspace the caller owns: 404 for non-members, 403 for members who are not the owner. */
export async function ownedWorkspace(caller: Caller, workspaceId: number): Promise<Workspace> {
  const workspace = await memberWorkspace(caller, workspaceId);
  if (workspace.ownerId !== caller.userId)
    throw new ForbiddenError('Only the workspace owner may do this');
  return workspace;
}

const isTeacherMember = (caller: Caller, workspace: Workspace) =>
  caller.role === 'teacher' && workspace.members.includes(caller.userId);

/** A workspace where the caller may create channels: its owner, or a teacher who is a member. */
export async function channelCreatorWorkspace(
  caller: Caller,
  workspaceId: number,
): Promise<Workspace> {
  const workspace = await memberWorkspace(caller, workspaceId);
  if (workspace.ownerId !== caller.userId && !isTeacherMember(caller, workspace)) {
    throw new ForbiddenError('Only the owner or a teacher of the workspace may create channels');
  }
  return workspace;
}

/** What the caller may do in a channel they can see. */
export interface ChannelAccess {
  channel: Channel;
  /** undefined for a DM. */
  workspace: Workspace | undefined;
  /** The workspace owner or a teacher member; in a DM, a teacher participant. */
  moderator: boolean;
  /** May post: everyone who can see it, except announcement channels (moderators only). */
  poster: boolean;
}

/**
 * The caller's access to a channel they are a member of (its workspace's member, or one of a DM's
 * two participants), else 404.
 */
export async function channelAccess(caller: Caller, channelId: number): Promise<ChannelAccess> {
  const channel = await storage.getChannel(channelId);
  if (!channel) throw new NotFoundError('Channel not found');
  if (channel.type === 'dm') {
    if (!channel.participants.includes(caller.userId)) throw new NotFoundError('Channel not found');
    const moderator = caller.role === 'teacher';
    return { channel, workspace: undefined, moderator, poster: true };
  }
  const workspace =
    channel.workspaceId === null ? undefined : await storage.getWorkspace(channel.workspaceId);
  if (!workspace?.members.includes(caller.userId)) throw new NotFoundError('Channel not found');
  const moderator = workspace.ownerId === caller.userId || isTeacherMember(caller, workspace);
  return { channel, workspace, moderator, poster: channel.type !== 'announcement' || moderator };
}

/** Access that includes moderation (pins, grading), else 403. */
export async function moderatedChannel(caller: Caller, channelId: number): Promise<ChannelAccess> {
  const access = await channelAccess(caller, channelId);
  if (!access.moderator) throw new ForbiddenError('Only a teacher or the owner may do this here');
  return access;
}

/** Whether the caller may delete a message by `authorId` in a channel they can see. */
export function mayDeleteMessage(caller: Caller, access: ChannelAccess, authorId: number): boolean {
  return authorId === caller.userId || access.moderator;
}

/**
 * Who may read channel `channelId` now (the rule of channelAccess, for many users at once): a
 * predicate over user ids; nobody when the channel no longer exists. Real-time delivery asks this
 * once per event, so a member removed from a workspace receives nothing more from its channels.
 */
export async function channelReaders(channelId: number): Promise<(userId: number) => boolean> {
  const channel = await storage.getChannel(channelId);
  if (!channel) return () => false;
  if (channel.type === 'dm') {
    const participants = new Set(channel.participants);
    return (userId) => participants.has(userId);
  }
  const workspace =
    channel.workspaceId === null ? undefined : await storage.getWorkspace(channel.workspaceId);
  const members = new Set(workspace?.members ?? []);
  return (userId) => members.has(userId);
}
