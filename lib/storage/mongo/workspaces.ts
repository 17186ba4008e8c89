/** Workspaces, their channels, and direct-message channels between two users. */
import { trusted } from 'mongoose';
import {
  type ChannelDoc,
  ChannelModel,
  dmKey,
  sequences,
  type WorkspaceDoc,
  WorkspaceModel,
} from '../../../shared/mongo-schema';
import type { Channel, DirectMessageChannel, Workspace } from '../../../shared/schema';
import { withMongo } from '../../db/mongo';
import { InvalidOperationError, StorageConflictError } from '../errors';
import type { WorkspaceStorage } from '../storage';
import { nextId } from './counters';
import { isDuplicateKey } from './duplicate-key';
import { assertId } from './guards';
import { userStore } from './users';

const NO_ID = { _id: 0 } as const;

export function toWorkspace(doc: WorkspaceDoc): Workspace {
  return {
    id: doc.id,
    name: doc.name,
    description: doc.description ?? null,
    ownerId: doc.ownerId,
    members: doc.members,
    createdAt: doc.createdAt,
  };
}

export function toChannel(doc: ChannelDoc): Channel {
  return {
    id: doc.id,
    workspaceId: doc.workspaceId ?? null,
    name: doc.name,
    type: doc.type,
    class: doc.class ?? null,
    subject: doc.subject ?? null,
    participants: doc.participants ?? [],
    createdAt: doc.createdAt,
  };
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `query` as a literal, case-insensitive "contains" pattern: input never becomes regex syntax. */
export function containsPattern(query: string): RegExp {
  return new RegExp(escapeRegex(query), 'i');
}

/** `query` as a literal, case-insensitive "equals" pattern. */
export function equalsPattern(query: string): RegExp {
  return new RegExp(`^${escapeRegex(query)}$`, 'i');
}

const after = { returnDocument: 'after', lean: true } as const;

async function findDm(a: number, b: number): Promise<Channel | undefined> {
  const doc = await ChannelModel.findOne({ uniqueKey: dmKey(a, b) }, NO_ID).lean();
  return doc ? toChannel(doc) : undefined;
}

export const workspaceStore: WorkspaceStorage = {
  createWorkspace: ({ name, description, ownerId, members = [] }) =>
    withMongo(async () => {
      const id = await nextId(sequences.workspace);
      const doc = await WorkspaceModel.create({
        id,
        name,
        description: description ?? null,
        ownerId,
        // The owner first, no duplicates.
        members: [...new Set([ownerId, ...members])],
      });
      return toWorkspace(doc.toObject());
    }),

  getWorkspace: (id) =>
    withMongo(async () => {
      const doc = await WorkspaceModel.findOne({ id }, NO_ID).lean();
      return doc ? toWorkspace(doc) : undefined;
    }),

  getWorkspaces: (userId) =>
    withMongo(async () =>
      (
        await WorkspaceModel.find({ members: userId }, NO_ID).sort({ createdAt: 1, id: 1 }).lean()
      ).map(toWorkspace),
    ),

  addMemberToWorkspace: (workspaceId, userId) =>
    withMongo(async () => {
      assertId(userId, 'userId');
      const doc = await WorkspaceModel.findOneAndUpdate(
        { id: workspaceId },
        { $addToSet: { members: userId } },
        after,
      );
      return doc ? toWorkspace(doc) : undefined;
    }),

  removeMemberFromWorkspace: (workspaceId, userId) =>
    withMongo(async () => {
      assertId(userId, 'userId');
      const workspace = await WorkspaceModel.findOne({ id: workspaceId }, NO_ID).lean();
      if (!workspace) return undefined;
      if (workspace.ownerId === userId) {
        throw new StorageConflictError('The owner cannot be removed from their workspace', 'owner');
      }
      // The owner condition again, so a concurrent ownership change cannot be raced.
      const doc = await WorkspaceModel.findOneAndUpdate(
        { id: workspaceId, ownerId: workspace.ownerId },
        { $pull: { members: userId } },
        after,
      );
      return doc ? toWorkspace(doc) : undefined;
    }),

  createChannel: ({ workspaceId, name, type, class: className, subject }) =>
    withMongo(async () => {
      const id = await nextId(sequences.channel);
      const doc = await ChannelModel.create({
        id,
        workspaceId,
        name,
        type,
        class: className ?? null,
        subject: subject ?? null,
        participants: [],
        uniqueKey: `channel:${id}`,
      });
      return toChannel(doc.toObject());
    }),

  getChannel: (id) =>
    withMongo(async () => {
      const doc = await ChannelModel.findOne({ id }, NO_ID).lean();
      return doc ? toChannel(doc) : undefined;
    }),

  getChannelsByWorkspace: (workspaceId) =>
    withMongo(async () =>
      (await ChannelModel.find({ workspaceId }, NO_ID).sort({ createdAt: 1, id: 1 }).lean()).map(
        toChannel,
      ),
    ),

  getOrCreateDMChannel: (a, b) =>
    withMongo(async () => {
      assertId(a, 'userId');
      assertId(b, 'userId');
      if (a === b) throw new InvalidOperationError('A direct message needs two different users');
      const existing = await findDm(a, b);
      if (existing) return existing;
      const [low, high] = a < b ? [a, b] : [b, a];
      const id = await nextId(sequences.channel);
      try {
        const doc = await ChannelModel.create({
          id,
          workspaceId: null,
          name: `dm_${low}_${high}`,
          type: 'dm',
          participants: [low, high],
          uniqueKey: dmKey(low, high),
        });
        return toChannel(doc.toObject());
      } catch (error) {
        // Another call created this pair's DM first; the unique key guarantees there is one.
        if (!isDuplicateKey(error)) throw error;
        const winner = await findDm(a, b);
        if (!winner) throw error;
        return winner;
      }
    }),

  getDMsByUser: (userId) =>
    withMongo(async () => {
      const dms = (
        await ChannelModel.find({ participants: userId, type: 'dm' }, NO_ID)
          .sort({ createdAt: -1, id: -1 })
          .lean()
      ).map(toChannel);
      const partnerIds = dms.map((dm) => dm.participants.find((p) => p !== userId) ?? userId);
      const partners = new Map((await userStore.getUsersByIds(partnerIds)).map((u) => [u.id, u]));
      return dms.map((dm, index): DirectMessageChannel => {
        const partner = partners.get(partnerIds[index] as number);
        return {
          ...dm,
          partner: partner
            ? {
                id: partner.id,
                username: partner.username,
                name: partner.name,
                avatar: partner.avatar,
                role: partner.role,
              }
            : null,
        };
      });
    }),

  searchChannels: (userId, query) =>
    withMongo(async () => {
      const workspaceIds = (
        await WorkspaceModel.find({ members: userId }, { _id: 0, id: 1 }).lean()
      ).map((w) => w.id);
      if (workspaceIds.length === 0) return [];
      const pattern = containsPattern(query);
      const docs = await ChannelModel.find(
        {
          workspaceId: trusted({ $in: workspaceIds }),
          $or: [
            { class: trusted({ $regex: equalsPattern(query) }) },
            { name: trusted({ $regex: pattern }) },
            { subject: trusted({ $regex: pattern }) },
          ],
        },
        NO_ID,
      )
        .sort({ createdAt: 1, id: 1 })
        .limit(200)
        .lean();
      return docs.map(toChannel);
    }),
};
