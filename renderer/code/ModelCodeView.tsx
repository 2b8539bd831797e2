/** The model code tab: Monaco bound to the editor store (model-code-binding.ts) and the list of problems under it. */
import { useEffect, useRef, useState } from 'react';
import { editor } from '../app/state';
import type { ListedProblem } from './code-problems';
import { ModelCodeBinding } from './model-code-binding';

export const ModelCodeView = ({ hidden }: { hidden: boolean }) => {
  const host = useRef<HTMLDivElement>(null);
  const binding = useRef<ModelCodeBinding | null>(null);
  const [problems, setProblems] = useState<readonly ListedProblem[]>([]);
  useEffect(() => {
    const bound = new ModelCodeBinding(host.current!, editor, setProblems);
    binding.current = bound;
    return () => {
      bound.dispose();
      binding.current = null;
    };
  }, []);
  const errors = problems.filter((problem) => problem.severity === 'error').length;
  return (
    <div className="code-view" hidden={hidden} data-testid="model-code">
      <div className="code-editor" ref={host} />
      <div className="code-problems" data-testid="code-problems" aria-label="Problems">
        <div className="code-problems-heading" data-testid="code-status">
          {problems.length === 0
            ? 'No problems: the graph follows the code.'
            : problems.some((problem) => problem.syntax)
              ? `${errors} ${errors === 1 ? 'mistake' : 'mistakes'}: the graph keeps its last valid version until the code is fixed.`
              : `The graph follows the code; it has ${problems.length} ${problems.length === 1 ? 'issue' : 'issues'}.`}
        </div>
        <ul>
          {problems.map((problem, index) => (
            <li key={index} className={problem.severity} data-testid="code-problem" data-line={problem.line}>
              <button onClick={() => binding.current?.reveal(problem.line, problem.column)}>
                <span className="code-problem-line">Ln {problem.line}</span> {problem.message}
              </button>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
};
