/**
 * The Playground panel, beside Visualise: draw on a pad or drop an image, and the project's
 * trained network (the host's current weights, run on the CPU engine in this page) answers as
 * you draw: its class probabilities and every layer's output. Inputs are prepared as training
 * prepared them (engine/data/picture-input.ts): shrunk to the Input's size, a drawing centred as
 * MNIST's digits are, normalised with the training split's statistics. At most one run per
 * animation frame.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TrainedNetwork } from '../../electron/api';
import { pictureInput, type Picture } from '../../engine/data/picture-input';
import { useStore } from '../app/hooks';
import { app, currentDocument } from '../app/state';
import { training } from '../training/training-store';
import { RgbaCanvas } from '../viz/RgbaCanvas';
import { clearPad, DrawingPad, PAD_SIZE } from './DrawingPad';
import { LayerMaps, Probabilities } from './PlaygroundViews';
import { PlaygroundNetwork, type PlaygroundAnswer } from './playground-network';
import { sampleImage } from '../../engine/viz/feature-maps';
import './playground.css';

type Loaded =
  | { readonly kind: 'loading' }
  | { readonly kind: 'untrained' }
  | { readonly kind: 'problem'; readonly message: string }
  | { readonly kind: 'ready'; readonly network: PlaygroundNetwork; readonly trained: TrainedNetwork };

/** The largest side an image file is read at (larger ones are shrunk first, by the browser). */
const LARGEST_IMAGE = 1024;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** An image file's pixels, decoded by the browser. */
const decodeImage = async (file: File): Promise<Picture> => {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(`${file.name} could not be read as an image; give a PNG or JPEG file`);
  }
  const shrink = Math.min(1, LARGEST_IMAGE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * shrink));
  const height = Math.max(1, Math.round(bitmap.height * shrink));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return { rgba: context.getImageData(0, 0, width, height).data, width, height };
};

/** Shows a picture on the pad, fitted and centred on black. */
const showOnPad = (pad: HTMLCanvasElement, picture: Picture) => {
  const source = document.createElement('canvas');
  source.width = picture.width;
  source.height = picture.height;
  source.getContext('2d')!.putImageData(new ImageData(Uint8ClampedArray.from(picture.rgba), picture.width, picture.height), 0, 0);
  clearPad(pad);
  const scale = PAD_SIZE / Math.max(picture.width, picture.height);
  const [width, height] = [picture.width * scale, picture.height * scale];
  const context = pad.getContext('2d')!;
  context.imageSmoothingEnabled = picture.width > PAD_SIZE;
  context.drawImage(source, (PAD_SIZE - width) / 2, (PAD_SIZE - height) / 2, width, height);
};

const Body = ({ loaded }: { loaded: Extract<Loaded, { kind: 'ready' }> }) => {
  const { network, trained } = loaded;
  const pad = useRef<HTMLCanvasElement | null>(null);
  const frame = useRef(0);
  /** A dropped image the network reads as it is, or null: the network reads the pad. */
  const image = useRef<Picture | null>(null);
  const inked = useRef(false);
  const [brush, setBrush] = useState(16);
  const [answer, setAnswer] = useState<{ answer: PlaygroundAnswer; input: Float32Array } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const shape = network.inputShape;
  const usable = shape.length === 3 && (shape[0] === 1 || shape[0] === 3);

  const run = useCallback(() => {
    frame.current = 0;
    const canvas = pad.current;
    if (!canvas || !usable || (!image.current && !inked.current)) return;
    try {
      const picture = image.current ?? {
        rgba: canvas.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, PAD_SIZE, PAD_SIZE).data,
        width: PAD_SIZE,
        height: PAD_SIZE,
      };
      const input = pictureInput(picture, { shape, normalisation: trained.normalisation, centre: !image.current });
      setAnswer({ answer: network.run(input), input });
      setProblem(null);
    } catch (error) {
      setProblem(message(error));
    }
  }, [network, trained, shape, usable]);

  const schedule = useCallback(() => {
    if (!frame.current) frame.current = requestAnimationFrame(run);
  }, [run]);

  useEffect(() => {
    if (pad.current) clearPad(pad.current);
    return () => cancelAnimationFrame(frame.current);
  }, []);
  // new weights: answer again for what is on the pad
  useEffect(schedule, [schedule]);

  const clear = () => {
    if (pad.current) clearPad(pad.current);
    image.current = null;
    inked.current = false;
    setAnswer(null);
    setProblem(null);
  };
  const ink = () => {
    // drawing over a dropped image: from now on the pad (image and strokes) is the input
    image.current = null;
    inked.current = true;
    schedule();
  };
  const open = async (file: File) => {
    try {
      const picture = await decodeImage(file);
      if (pad.current) showOnPad(pad.current, picture);
      image.current = picture;
      inked.current = true;
      schedule();
    } catch (error) {
      setProblem(message(error));
    }
  };

  if (!usable)
    return (
      <p className="muted">
        The playground draws pictures; this network’s input is {shape.join('×')}, not [1 or 3 channels, height, width].
      </p>
    );
  return (
    <div className="playground-body">
      <DrawingPad canvas={pad} brush={brush} onInk={ink} onFile={(file) => void open(file)} />
      <div className="playground-tools">
        <button onClick={clear}>Clear</button>
        <label className="playground-file">
          Image…
          <input
            type="file"
            accept="image/png,image/jpeg,image/webp,image/gif,image/bmp"
            aria-label="Open an image"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void open(file);
              e.target.value = '';
            }}
          />
        </label>
        <label>
          Brush
          <input type="range" min={4} max={40} value={brush} aria-label="Brush size" onChange={(e) => setBrush(Number(e.target.value))} />
        </label>
        {answer && (
          <figure className="playground-input">
            <RgbaCanvas image={sampleImage(answer.input, shape, 2)} label="The input the network sees" testId="playground-input" />
            <figcaption className="muted">what the network sees</figcaption>
          </figure>
        )}
      </div>
      <div className="playground-answer">
        {problem && (
          <div className="viz-problem" role="status" data-testid="playground-problem">
            {problem}
          </div>
        )}
        {!answer ? (
          <p className="muted">Draw a digit on the pad, or drop an image on it.</p>
        ) : (
          <Probabilities answer={answer.answer} classes={trained.classes} />
        )}
      </div>
      {answer && <LayerMaps layers={answer.answer.layers} />}
    </div>
  );
};

export const PlaygroundPanel = () => {
  const [open, setOpen] = useState(false);
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const [reloads, setReloads] = useState(0);
  const api = useStore(app, (s) => s.api);
  const hasWeights = useStore(app, (s) => s.hasWeights);
  const finished = useStore(training, (s) => s.finished);

  // Fetch the weights on opening, and again when training gives new ones.
  useEffect(() => {
    const document = currentDocument();
    if (!open || !api || !document) return;
    let current = true;
    // the pad and its answer stay while new weights load
    setLoaded((before) => (before.kind === 'ready' ? before : { kind: 'loading' }));
    api
      .trainedNetwork(document)
      .then((trained) => {
        if (!current) return;
        setLoaded(trained ? { kind: 'ready', trained, network: new PlaygroundNetwork(document.graph, trained) } : { kind: 'untrained' });
      })
      .catch((error: unknown) => current && setLoaded({ kind: 'problem', message: message(error) }));
    return () => {
      current = false;
    };
  }, [open, api, hasWeights, finished, reloads]);

  if (!open)
    return (
      <button
        className="visualise-toggle"
        onClick={() => setOpen(true)}
        title="Draw or drop an image and see what the trained network makes of it"
      >
        Playground
      </button>
    );
  return (
    <section className="playground-panel" aria-label="Playground">
      <div className="viz-header">
        <span className="panel-heading">Playground</span>
        <span className="muted viz-status" data-testid="playground-status" data-state={loaded.kind}>
          {loaded.kind === 'ready'
            ? 'the project’s trained weights, on this page’s CPU'
            : loaded.kind === 'loading'
              ? 'loading the weights…'
              : ''}
        </span>
        <button onClick={() => setReloads((n) => n + 1)} title="Read the project’s weights again (after editing the graph)">
          Reload
        </button>
        <button className="viz-close" aria-label="Close the Playground panel" onClick={() => setOpen(false)}>
          ×
        </button>
      </div>
      {loaded.kind === 'untrained' && (
        <p className="muted" data-testid="playground-untrained">
          This project has no trained weights for this graph yet. Train it (or open a project saved with weights), then draw here.
        </p>
      )}
      {loaded.kind === 'problem' && (
        <div className="viz-problem" role="status" data-testid="playground-problem">
          The trained network cannot run here: {loaded.message}
        </div>
      )}
      {loaded.kind === 'ready' && <Body loaded={loaded} />}
    </section>
  );
};
