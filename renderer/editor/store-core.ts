/**
 * A minimal observable store: immutable state, replaced as a whole, and listeners told after
 * each change. React reads it through `useStore` (hooks.ts); tests use it directly.
 */
export class Store<S> {
  private readonly listeners = new Set<() => void>();

  constructor(protected state: S) {}

  getState = (): S => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  protected set(state: S): void {
    this.state = state;
    for (const listener of [...this.listeners]) listener();
  }
}

/** A store whose state anyone may replace: for small app-wide state. */
export class ValueStore<S> extends Store<S> {
  update(change: Partial<S> | ((state: S) => Partial<S>)): void {
    const patch = typeof change === 'function' ? change(this.state) : change;
    this.set({ ...this.state, ...patch });
  }
}
