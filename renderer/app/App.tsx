/** The window: the start page, or the editor laid out like VS Code (palette, canvas, inspector, training panel, status bar). */
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { CodePanel } from '../code/CodePanel';
import { codePanel } from '../code/code-panel-state';
import { Canvas } from '../editor/Canvas';
import { Palette } from '../editor/Palette';
import { Inspector } from '../inspector/Inspector';
import { TrainingPanel } from '../training/TrainingPanel';
import { VisualisePanel } from '../viz/VisualisePanel';
import { useStore } from './hooks';
import { onShortcut } from './shortcuts';
import { StartPage } from './StartPage';
import { app } from './state';
import { StatusBar } from './StatusBar';
import { TopBar } from './TopBar';

const Editor = () => {
  const opened = useStore(app, (state) => state.opened);
  const codeOpen = useStore(codePanel, (state) => state.open);
  return (
    <div className="editor">
      <TopBar />
      <div className="workbench">
        <Palette />
        <div className="center">
          <div className="canvas-row">
            <ReactFlowProvider key={`canvas-${opened}`}>
              <Canvas />
            </ReactFlowProvider>
            {codeOpen && <CodePanel key={`code-${opened}`} />}
          </div>
          <div className="bottom-panels">
            <TrainingPanel key={`training-${opened}`} />
            <VisualisePanel key={`visualise-${opened}`} />
          </div>
        </div>
        <Inspector />
      </div>
      <StatusBar />
    </div>
  );
};

export const App = () => {
  const screen = useStore(app, (state) => state.screen);
  const connectionError = useStore(app, (state) => state.connectionError);
  const api = useStore(app, (state) => state.api);
  const notice = useStore(app, (state) => state.notice);
  useEffect(() => {
    window.addEventListener('keydown', onShortcut);
    return () => window.removeEventListener('keydown', onShortcut);
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
