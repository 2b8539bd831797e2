/**
 * The window: the start page, or the editor laid out like VS Code (palette, canvas, inspector,
 * training panel with Visualise and the Playground, status bar), its panels resizable and
 * hideable (layout-store.ts).
 */
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { CodePanel } from '../code/CodePanel';
import { codePanel } from '../code/code-panel-state';
import { Canvas } from '../editor/Canvas';
import { Palette } from '../editor/Palette';
import { Inspector } from '../inspector/Inspector';
import { TrainingPanel } from '../training/TrainingPanel';
import { PlaygroundPanel } from '../playground/PlaygroundPanel';
import { VisualisePanel } from '../viz/VisualisePanel';
import { ContextMenu } from '../editor/ContextMenu';
import { listenToClipboard } from './clipboard';
import { useStore } from './hooks';
import { ShortcutHelp } from './ShortcutHelp';
import { Splitter } from './Splitter';
import { useThemeOnPage } from './theme';
import { onShortcut } from './shortcuts';
import { StartPage } from './StartPage';
import { app, layout } from './state';
import { StatusBar } from './StatusBar';
import { TopBar } from './TopBar';

/** A hidden panel stays mounted (its fields keep what was typed), only out of sight. */
const Editor = () => {
  const opened = useStore(app, (state) => state.opened);
  const panels = useStore(layout, (state) => state);
  const codeOpen = useStore(codePanel, (state) => state.open);
  return (
    <div className="editor">
      <TopBar />
      <div className="workbench">
        <div className="side-panel" style={{ width: panels.paletteWidth }} hidden={!panels.paletteOpen} data-testid="palette-panel">
          <Palette />
        </div>
        {panels.paletteOpen && <Splitter panel="paletteWidth" label="Resize the layer palette" axis="x" grows={1} />}
        <div className="center">
          <div className="canvas-row">
            <ReactFlowProvider key={`canvas-${opened}`}>
              <Canvas />
              <ContextMenu />
            </ReactFlowProvider>
            {codeOpen && <Splitter panel="codeWidth" label="Resize the code panel" axis="x" grows={-1} />}
            {codeOpen && <CodePanel key={`code-${opened}`} />}
          </div>
          {panels.bottomOpen && <Splitter panel="bottomHeight" label="Resize the training panel" axis="y" grows={-1} />}
          <div className="bottom-panels" style={{ height: panels.bottomHeight }} hidden={!panels.bottomOpen} data-testid="bottom-panel">
            <TrainingPanel key={`training-${opened}`} />
            <VisualisePanel key={`visualise-${opened}`} />
            <PlaygroundPanel key={`playground-${opened}`} />
          </div>
        </div>
        {panels.inspectorOpen && <Splitter panel="inspectorWidth" label="Resize the inspector" axis="x" grows={-1} />}
        <div className="side-panel" style={{ width: panels.inspectorWidth }} hidden={!panels.inspectorOpen} data-testid="inspector-panel">
          <Inspector />
        </div>
      </div>
      <StatusBar />
      <ShortcutHelp />
    </div>
  );
};

export const App = () => {
  const screen = useStore(app, (state) => state.screen);
  const connectionError = useStore(app, (state) => state.connectionError);
  const api = useStore(app, (state) => state.api);
  const notice = useStore(app, (state) => state.notice);
  useThemeOnPage();
  useEffect(() => {
    window.addEventListener('keydown', onShortcut);
    const stopClipboard = listenToClipboard(document);
    return () => {
      window.removeEventListener('keydown', onShortcut);
      stopClipboard();
    };
  }, []);
  if (connectionError) {
    return (
      <main className="start-page">
        <h1>CNN Studio</h1>
        <div className="notice error" role="alert">
          {connectionError}
        </div>
      </main>
    );
  }
  if (!api) return <main className="start-page muted">Connecting…</main>;
  if (screen === 'editor') return <Editor />;
  return (
    <>
      {notice && (
        <div className={`notice ${notice.kind}`} role="alert" data-testid="notice">
          {notice.text}
        </div>
      )}
      <StartPage />
    </>
  );
};
