// The folder boundaries of docs/ARCHITECTURE.md are enforced by ESLint; this checks the rules bite.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

const restrictedImports = async (filePath: string, code: string): Promise<string[]> => {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
};

describe('import boundaries', () => {
  it('keeps engine/ free of electron/, renderer/ and Node built-ins', async () => {
    expect(
      await restrictedImports('engine/graph/example.ts', "import { x } from '../../electron/api';\nexport const y = x;\n"),
    ).toHaveLength(1);
    expect(
      await restrictedImports('engine/graph/example.ts', "import { x } from '../../renderer/app';\nexport const y = x;\n"),
    ).toHaveLength(1);
    expect(
      await restrictedImports('engine/graph/example.ts', "import { readFileSync } from 'node:fs';\nexport const y = readFileSync;\n"),
    ).toHaveLength(1);
    expect(
      await restrictedImports('engine/graph/example.ts', "import { CATALOGUE } from './catalogue';\nexport const y = CATALOGUE;\n"),
    ).toHaveLength(0);
  });

  it('keeps electron out of the services, the worker and the Node host', async () => {
    for (const folder of ['electron/services', 'electron/worker', 'electron/host']) {
      expect(await restrictedImports(`${folder}/example.ts`, "import { app } from 'electron';\nexport const y = app;\n")).toHaveLength(1);
    }
    expect(await restrictedImports('electron/main/example.ts', "import { app } from 'electron';\nexport const y = app;\n")).toHaveLength(0);
  });

  it('lets the renderer reach the host only through the contract', async () => {
    expect(
      await restrictedImports('renderer/example.ts', "import { x } from '../electron/services/jobs';\nexport const y = x;\n"),
    ).toHaveLength(1);
    expect(
      await restrictedImports('renderer/example.ts', "import type { StudioApi } from '../electron/api';\nexport type Y = StudioApi;\n"),
    ).toHaveLength(0);
  });
});
