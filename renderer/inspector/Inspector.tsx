/**
 * The right panel: the selected layer's parameters, drawn from its schema (no layer is special),
 * checked as you type, with the help texts, the shape formulas and the layer's problems. With
 * nothing selected, the graph's summary and every problem.
 */
import { useEffect, useState } from 'react';
import type { NodeReport } from '../../engine/graph/analyze';
import { CATALOGUE } from '../../engine/graph/catalogue';
import type { GraphDocument, GraphNode } from '../../engine/graph/document';
import { isLayerType } from '../../engine/graph/layer-types';
import type { ParamSpec } from '../../engine/graph/params';
import { formatShape } from '../../engine/graph/shape';
import { formatCount } from '../app/format';
import { useStore } from '../app/hooks';
import { editor } from '../app/state';
import { canCollapse, canExpand, collapseLayer, expandLayer } from '../editor/node-commands';
import { FiltersSection } from './FiltersSection';
import { paramText, parseParamText } from './param-text';

interface FieldProps {
  readonly node: GraphNode;
  readonly name: string;
  readonly spec: ParamSpec;
  /** The engine's message about this parameter, if any. */
  readonly issue: string | undefined;
}

const ParamField = ({ node, name, spec, issue }: FieldProps) => {
  const stored = node.params?.[name];
  const shown = paramText(spec, stored);
  const [text, setText] = useState(shown);
  const [problem, setProblem] = useState<string | null>(null);
  const id = `param-${node.id}-${name}`;

  // When the value changes from elsewhere (undo, another layer selected), show it.
  useEffect(() => {
    const parsed = parseParamText(spec, text);
    if (!parsed.ok || JSON.stringify(parsed.value) !== JSON.stringify(stored)) {
      setText(shown);
      setProblem(null);
    }
  }, [stored, node.id]);

  const change = (value: string) => {
    setText(value);
    const parsed = parseParamText(spec, value);
    if (!parsed.ok) return setProblem(parsed.problem);
    setProblem(null);
    editor.setParam(node.id, name, parsed.value);
  };

  const message = problem ?? issue;
  let input;
  if (spec.kind === 'bool') {
    input = (
      <input
        id={id}
        type="checkbox"
        checked={Boolean(stored ?? spec.default)}
        onChange={(e) => editor.setParam(node.id, name, e.target.checked)}
      />
    );
  } else if (spec.kind === 'enum') {
    input = (
      <select id={id} value={String(stored ?? spec.default)} onChange={(e) => editor.setParam(node.id, name, e.target.value)}>
        {spec.values.map((value) => (
          <option key={value}>{value}</option>
        ))}
      </select>
    );
  } else {
    input = (
      <input
        id={id}
        type="text"
        value={text}
        placeholder={paramText(spec, undefined)}
        aria-invalid={message ? true : undefined}
        onChange={(e) => change(e.target.value)}
        onBlur={() => editor.endMerge()}
        spellCheck={false}
      />
    );
  }
  return (
    <div className={`param-field ${message ? 'invalid' : ''}`} data-testid={id}>
      <label htmlFor={id} title={spec.help}>
        {spec.label}
      </label>
      {input}
      {message && (
        <div className="param-problem" role="alert">
          {message}
        </div>
      )}
      <div className="param-help">{spec.help}</div>
    </div>
  );
};

const LayerInspector = ({ graph, node, report }: { graph: GraphDocument; node: GraphNode; report: NodeReport | undefined }) => {
  if (!isLayerType(node.type)) return <div className="inspector-body">Unknown layer type {node.type}.</div>;
  const definition = CATALOGUE[node.type];
  const specs = Object.entries(definition.params as Record<string, ParamSpec>);
  const issueFor = (name: string) => report?.issues.find((issue) => issue.param === name)?.message;
  const general = report?.issues.filter((issue) => issue.param === undefined) ?? [];
  return (
    <div className="inspector-body">
      <h2>
        {definition.title} <span className="muted">{node.id}</span>
      </h2>
      <p className="help">{definition.help}</p>
      {canExpand(graph, node.id) && (
        <button onClick={() => expandLayer(node.id)} title="Replace this layer by the two convolutions it stands for">
          Expand into stages
        </button>
      )}
      {canCollapse(graph, node.id) && (
        <button
          onClick={() => collapseLayer(node.id)}
          title="Join this convolution and its partner stage back into one factorised convolution"
        >
          Collapse back
        </button>
      )}
      {general.map((issue, index) => (
        <div key={index} className={`issue ${issue.severity}`} role="alert">
          {issue.message}
        </div>
      ))}
      {specs.map(([name, spec]) => (
        <ParamField key={`${node.id}.${name}`} node={node} name={name} spec={spec} issue={issueFor(name)} />
      ))}
      {specs.length === 0 && <p className="muted">This layer has no parameters.</p>}
      {node.type === 'Conv2D' && <FiltersSection node={node} />}
      {report && (
        <dl className="facts">
          <dt>Output</dt>
          <dd>{report.outputShape ? formatShape(report.outputShape) : 'unknown'}</dd>
          <dt>Parameters</dt>
          <dd>{formatCount(report.paramCount)}</dd>
          <dt>Multiply-adds</dt>
          <dd>{formatCount(report.macs)}</dd>
        </dl>
      )}
      {report && report.formulas.length > 0 && (
        <div className="formulas">
          {report.formulas.map((formula) => (
            <code key={formula}>{formula}</code>
          ))}
        </div>
      )}
      {report?.comparison && (
        <p className="comparison">
          Against a {report.comparison.replaces}: {(report.comparison.paramRatio * 100).toFixed(1)}% of the parameters,{' '}
          {(report.comparison.macRatio * 100).toFixed(1)}% of the multiply-adds.
        </p>
      )}
    </div>
  );
};

const GraphSummary = () => {
  const report = useStore(editor, (state) => state.report);
  return (
    <div className="inspector-body">
      <h2>Graph</h2>
      <dl className="facts">
        <dt>Input</dt>
        <dd>{report.inputShape ? formatShape(report.inputShape) : 'unknown'}</dd>
        <dt>Output</dt>
        <dd>{report.outputShape ? formatShape(report.outputShape) : 'unknown'}</dd>
      </dl>
      <p className="muted">Select a layer to edit its parameters.</p>
      {report.issues.map((issue, index) => (
        <button
          key={index}
          className={`issue ${issue.severity}`}
          onClick={() => issue.nodeId && editor.select([issue.nodeId], [])}
          disabled={!issue.nodeId}
        >
          {issue.message}
        </button>
      ))}
    </div>
  );
};

export const Inspector = () => {
  const graph = useStore(editor, (state) => state.graph);
  const report = useStore(editor, (state) => state.report);
  const selected = useStore(editor, (state) => state.selectedNodes);
  const node = selected.length === 1 ? graph.nodes.find((candidate) => candidate.id === selected[0]) : undefined;
  return (
    <aside className="inspector" aria-label="Inspector">
      <div className="panel-heading">Inspector</div>
      {node ? (
        <LayerInspector graph={graph} node={node} report={report.nodes.find((candidate) => candidate.id === node.id)} />
      ) : (
        <GraphSummary />
      )}
    </aside>
  );
};
