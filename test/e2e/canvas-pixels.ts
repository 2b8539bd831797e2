/** Reading what a page's <canvas> shows, for the browser tests of the Visualise panel's views. */
import type { Locator } from 'playwright-core';

/** The part of a <canvas> read here (the tests' type libraries have no DOM). */
interface Canvas2d {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

/** How many different colours a canvas shows, and its size: an empty or blank canvas has one colour. */
export const canvasFacts = (canvas: Locator) =>
  canvas.evaluate((node) => {
    const element = node as unknown as Canvas2d;
    const { width, height } = element;
    const data = element.getContext('2d')!.getImageData(0, 0, width, height).data;
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return { width, height, colours: colours.size };
  });

/** A canvas's pixels (RGBA), as a list of numbers. */
export const canvasPixels = (canvas: Locator) =>
  canvas.evaluate((node) => {
    const element = node as unknown as Canvas2d;
    return [...element.getContext('2d')!.getImageData(0, 0, element.width, element.height).data];
  });
