// Project files handed to the app on its command line, and names chosen in the save dialog.
import { describe, expect, it } from 'vitest';
import { projectPathsFromArgv, withProjectExtension } from '../../../electron/main/launch';

describe('project files on the command line', () => {
  it('takes .cnnproj files, made absolute from the launch folder, and skips switches and other files', () => {
    const argv = [
      '/work/main/out/main/index.mjs',
      '--no-sandbox',
      'nets/lenet.cnnproj',
      '/abs/Other.CNNPROJ',
      'notes.txt',
      '--inspect=9229',
    ];
    expect(projectPathsFromArgv(argv, '/home/me')).toEqual(['/home/me/nets/lenet.cnnproj', '/abs/Other.CNNPROJ']);
  });

  it('turns file:// URLs (Linux desktop files pass %U) into paths, once each', () => {
    expect(projectPathsFromArgv(['file:///home/me/My%20Net.cnnproj', '/home/me/My Net.cnnproj'], '/')).toEqual(['/home/me/My Net.cnnproj']);
    expect(projectPathsFromArgv(['file://remote-host/share/a.cnnproj'], '/')).toEqual([]);
  });

  it('finds nothing in an ordinary launch', () => {
    expect(projectPathsFromArgv([], '/')).toEqual([]);
    expect(projectPathsFromArgv(['.'], '/')).toEqual([]);
  });
});

describe('save dialog names', () => {
  it('gain the project extension when they lack it', () => {
    expect(withProjectExtension('/home/me/net')).toBe('/home/me/net.cnnproj');
    expect(withProjectExtension('/home/me/net.cnnproj')).toBe('/home/me/net.cnnproj');
    expect(withProjectExtension('/home/me/NET.CNNPROJ')).toBe('/home/me/NET.CNNPROJ');
  });
});
