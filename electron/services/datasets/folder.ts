/**
 * An image folder: one subfolder per class (named after it; classes in name order), holding PNG
 * and JPEG files, at any depth below it. Images are resized to size×size, grey or RGB, and stream
 * from disk (see image-files.ts). Nothing here throws for a bad file: non-images, unreadable and
 * corrupt files, files outside a class folder and class folders without usable images (left out
 * of the classes) are listed in `problems`. Only a folder that is missing, or holds no usable
 * image at all, is an error. Hidden files and folders (names starting with '.') are ignored.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { DatasetProblem } from '../../../engine/data/problems';
import { DatasetOpenError } from '../../../engine/data/problems';
import type { SampleCache } from '../../../engine/data/sample-cache';
import { describeFileError, checkImageFiles, ImageFilesDataset, ImageLoader, type ImageFilesOptions } from './image-files';
import { IMAGE_EXTENSIONS } from './images';

export class ImageFolderDataset extends ImageFilesDataset {
  constructor(
    root: string,
    paths: readonly string[],
    labels: Int32Array,
    /** Class names, by class number. */
    readonly classes: readonly string[],
    loader: ImageLoader,
    cache: SampleCache,
    problems: DatasetProblem[],
  ) {
    super(`folder ${root}`, paths, labels, { kind: 'class', classes: classes.length }, loader, cache, problems);
  }
}

const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** What an entry is, following symbolic links; null when it cannot be told. */
const kindOf = (folder: string, entry: Dirent): 'file' | 'folder' | null => {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'folder';
  try {
    const stats = statSync(join(folder, entry.name));
    return stats.isFile() ? 'file' : stats.isDirectory() ? 'folder' : null;
  } catch {
    return null;
  }
};

const isImageName = (name: string): boolean => IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());

/** Every image file below `folder`, in name order; other files go to `problems`. */
const collectImages = (folder: string, images: string[], problems: DatasetProblem[]): void => {
  let entries: Dirent[];
  try {
    entries = readdirSync(folder, { withFileTypes: true }).sort(byName);
  } catch (error) {
    problems.push({ path: folder, reason: `the folder cannot be read: ${describeFileError(error)}` });
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(folder, entry.name);
    const kind = kindOf(folder, entry);
    if (kind === 'folder') collectImages(path, images, problems);
    else if (kind === 'file' && isImageName(entry.name)) images.push(path);
    else if (kind === 'file') problems.push({ path, reason: `not a PNG or JPEG file (${extname(entry.name) || 'no extension'}); skipped` });
    else problems.push({ path, reason: 'neither a file nor a folder; skipped' });
  }
};

/** Opens an image folder; throws DatasetOpenError when it is missing or holds no usable image. */
export const openImageFolder = (folder: string, options: ImageFilesOptions): ImageFolderDataset => {
  const root = resolve(folder);
  let isFolder = false;
  try {
    isFolder = statSync(root).isDirectory();
  } catch {
    throw new DatasetOpenError(
      root,
      `the image folder ${root} does not exist; choose a folder that holds one subfolder of images per class`,
    );
  }
  if (!isFolder)
    throw new DatasetOpenError(root, `${root} is a file, not a folder; choose the folder that holds one subfolder of images per class`);
  const loader = new ImageLoader(options.size, options.channels, options.resize ?? 'area');
  const problems: DatasetProblem[] = [];
  const classFolders: string[] = [];
  let top: Dirent[];
  try {
    top = readdirSync(root, { withFileTypes: true }).sort(byName);
  } catch (error) {
    throw new DatasetOpenError(root, `the image folder ${root} cannot be read (${describeFileError(error)}); check its permissions`);
  }
  for (const entry of top) {
    if (entry.name.startsWith('.')) continue;
    const kind = kindOf(root, entry);
    if (kind === 'folder') classFolders.push(entry.name);
    else problems.push({ path: join(root, entry.name), reason: 'not inside a class folder; put it in the folder of its class' });
  }
  if (!classFolders.length) {
    throw new DatasetOpenError(
      root,
      `${root} has no class folders: put the images of each class in a subfolder named after the class (${join(root, 'cats')}, ${join(root, 'dogs')}, …)`,
    );
  }
  const paths: string[] = [];
  const folderOf: number[] = [];
  classFolders.forEach((name, classIndex) => {
    const before = paths.length;
    collectImages(join(root, name), paths, problems);
    for (let i = before; i < paths.length; i++) folderOf.push(classIndex);
  });
  const { kept, cache } = checkImageFiles(
    paths.map((path) => ({ path })),
    loader,
    options,
    problems,
  );
  // Classes are the folders with at least one usable image, in name order.
  const usable = new Int32Array(classFolders.length);
  for (const position of kept) usable[folderOf[position]]++;
  const classNumber = new Int32Array(classFolders.length).fill(-1);
  const classes: string[] = [];
  classFolders.forEach((name, index) => {
    if (usable[index]) classNumber[index] = classes.push(name) - 1;
    else
      problems.push({ path: join(root, name), reason: 'the class folder has no usable PNG or JPEG images; it is left out of the classes' });
  });
  if (!kept.length) {
    throw new DatasetOpenError(
      root,
      `${root} holds no usable images: put PNG or JPEG files in its class folders (${problems.length} problems: ${problems
        .slice(0, 3)
        .map((problem) => `${problem.path}: ${problem.reason}`)
        .join('; ')}${problems.length > 3 ? '; …' : ''})`,
    );
  }
  const labels = Int32Array.from(kept, (position) => classNumber[folderOf[position]]);
  return new ImageFolderDataset(
    root,
    Array.from(kept, (position) => paths[position]),
    labels,
    classes,
    loader,
    cache,
    problems,
  );
};
