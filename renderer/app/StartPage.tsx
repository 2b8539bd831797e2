/**
 * The start page: unsaved changes a window left behind (to restore or discard), a new project
 * from a template, a project file by path, or a recent one.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { RecentProject, RecoverableProjects, TemplateInfo } from '../../electron/api';
import { discardRecoverable, formatSavedAt, newProject, openProject, restoreProject, showError } from './actions';
import { useStore } from './hooks';
import { app } from './state';

export const StartPage = () => {
  const api = useStore(app, (state) => state.api);
  const busy = useStore(app, (state) => state.busy);
  const [templates, setTemplates] = useState<TemplateInfo[]>([]);
  const [recent, setRecent] = useState<RecentProject[]>([]);
  const [path, setPath] = useState('');
  const [recoverable, setRecoverable] = useState<RecoverableProjects>({ entries: [], problems: [] });

  useEffect(() => {
    if (!api) return;
    api.listTemplates().then(setTemplates, showError);
    api.recentProjects().then(setRecent, showError);
    api.recoverableProjects().then(setRecoverable, showError);
  }, [api]);

  const discard = async (id: string) => {
    await discardRecoverable(id);
    if (api) api.recoverableProjects().then(setRecoverable, showError);
  };

  const open = (event: FormEvent) => {
    event.preventDefault();
    if (path.trim()) void openProject(path);
  };

  return (
    <main className="start-page">
      <h1>CNN Studio</h1>
      <p className="muted">Build a convolutional network by dragging layers, see every shape and cost as you go, and train it.</p>
      {(recoverable.entries.length > 0 || recoverable.problems.length > 0) && (
        <section className="recovery" aria-label="Unsaved changes" data-testid="recovery">
          <h2>Unsaved changes</h2>
          <ul className="recovery-list">
            {recoverable.entries.map((entry) => (
              <li key={entry.id} data-testid="recovery-entry">
                <span>
                  Restore unsaved changes from {formatSavedAt(entry.savedAt)} for{' '}
                  <strong title={entry.originalPath ?? undefined}>{entry.originalPath ?? `the new project ${entry.name}`}</strong>
                </span>
                <button disabled={busy} onClick={() => void restoreProject(entry.id)}>
                  Restore
                </button>
                <button disabled={busy} onClick={() => void discard(entry.id)}>
                  Discard
                </button>
              </li>
            ))}
          </ul>
          {recoverable.problems.map((problem) => (
            <p key={problem} className="muted recovery-problem">
              {problem}
            </p>
          ))}
        </section>
      )}
      <div className="start-columns">
        <section>
          <h2>New project</h2>
          <ul className="template-list">
            {templates.map((template) => (
              <li key={template.name}>
                <button data-testid={`template-${template.name}`} disabled={busy} onClick={() => void newProject(template.name)}>
                  <strong>{template.title}</strong>
                  <span className="muted"> · {template.layers} layers</span>
                  <div className="template-description">{template.description}</div>
                </button>
              </li>
            ))}
          </ul>
        </section>
        <section>
          <h2>Open</h2>
          <form onSubmit={open} className="open-form">
            <input
              type="text"
              aria-label="Project file path"
              placeholder="/path/to/project.cnnproj"
              value={path}
              onChange={(event) => setPath(event.target.value)}
              spellCheck={false}
            />
            <button type="submit" disabled={busy || !path.trim()}>
              Open
            </button>
          </form>
          <h2>Recent</h2>
          {recent.length === 0 && <p className="muted">No recent projects.</p>}
          <ul className="recent-list">
            {recent.map((entry) => (
              <li key={entry.path}>
                <button onClick={() => void openProject(entry.path)} disabled={busy} title={entry.path}>
                  <strong>{entry.name}</strong>
                  <div className="muted">{entry.path}</div>
                </button>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </main>
  );
};
