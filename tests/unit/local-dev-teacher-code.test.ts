/**
 * The development teacher code: `npm run dev` (a local server) registers teachers with
 * `local-dev-teacher` when TEACHER_SIGNUP_CODE is unset, and nothing else ever does. A deployed
 * configuration without a code keeps refusing every teacher registration.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config';
import {
  drivenServerSettings,
  LOCAL_DEV_TEACHER_CODE,
  localDevServerSettings,
  teacherCodeBanner,
} from '../../scripts/offline-server';
import { projectRoot } from '../../scripts/stack/paths';
import { captureLogLines, configEnvFor, useConfigEnv } from '../helpers/config-env';
import { invoke } from '../helpers/lambda';

// The register handler reads its configuration when loaded: a deployed one, with no teacher code.
useConfigEnv('teacher-code');
delete process.env.TEACHER_SIGNUP_CODE;
delete process.env.IS_OFFLINE;
// Its 403s are logged; the log is not what these tests are about.
captureLogLines();

/** Every file under `dir` (relative to the project root), recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(join(projectRoot, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(projectRoot, path)).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('the local dev server (npm run dev)', () => {
  it('uses local-dev-teacher when TEACHER_SIGNUP_CODE is unset or blank', () => {
    expect(LOCAL_DEV_TEACHER_CODE).toBe('local-dev-teacher');
    expect(localDevServerSettings({})).toEqual({ TEACHER_SIGNUP_CODE: 'local-dev-teacher' });
    expect(localDevServerSettings({ TEACHER_SIGNUP_CODE: '  ' })).toEqual({
      TEACHER_SIGNUP_CODE: 'local-dev-teacher',
    });
  });

  it('keeps a code the user configured', () => {
    expect(localDevServerSettings({ TEACHER_SIGNUP_CODE: 'our-own' })).toEqual({
      TEACHER_SIGNUP_CODE: 'our-own',
    });
  });

  it('prints the development code in its banner, never a code the user chose', () => {
    expect(teacherCodeBanner({})).toContain('local-dev-teacher');
    const own = teacherCodeBanner({ TEACHER_SIGNUP_CODE: 'our-secret' });
    expect(own).not.toContain('our-secret');
    expect(own).not.toContain('local-dev-teacher');
    expect(own).toContain('TEACHER_SIGNUP_CODE');
  });
});

describe('everything but the local dev server', () => {
  it('leaves a configuration without TEACHER_SIGNUP_CODE without a teacher code', () => {
    const deployed = configEnvFor('deployed');
    expect(parseConfig(deployed).auth.teacherSignupCode).toBeUndefined();
    // Not even under serverless-offline: only npm run dev adds the code, before the server starts.
    expect(parseConfig({ ...deployed, IS_OFFLINE: 'true' }).auth.teacherSignupCode).toBeUndefined();
  });

  it('gives the servers tests and benchmarks drive no teacher code unless they pass one', () => {
    expect(drivenServerSettings()).not.toHaveProperty('TEACHER_SIGNUP_CODE');
    expect(drivenServerSettings('theirs')).toHaveProperty('TEACHER_SIGNUP_CODE', 'theirs');
  });

  it('is not named by any deployed code or by serverless.yml', () => {
    const deployed = ['serverless.yml', ...['functions', 'lib', 'shared'].flatMap(filesUnder)];
    const naming = deployed.filter((path) =>
      readFileSync(join(projectRoot, path), 'utf8').includes(LOCAL_DEV_TEACHER_CODE),
    );
    expect(naming).toEqual([]);
  });

  it('refuses a teacher registration with the development code when no code is configured', async () => {
    const { handler } = await import('../../functions/auth/register');
    const register = (teacherCode?: string) =>
      invoke(handler, {
        method: 'POST',
        path: '/api/auth/register',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: 'new_teacher',
          password: 'correct horse battery',
          name: 'New Teacher',
          email: 'new.teacher@example.com',
          role: 'teacher',
          ...(teacherCode === undefined ? {} : { teacherCode }),
        }),
      });
    for (const code of [LOCAL_DEV_TEACHER_CODE, undefined, '']) {
      const reply = await register(code);
      expect(reply.status).toBe(403);
      expect(reply.body).toMatchObject({ code: 'FORBIDDEN' });
    }
  });
});
