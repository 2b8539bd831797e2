// Vite's `?worker` imports: a module's default export is a constructor of a Worker running it,
// emitted as its own file (allowed by the page's CSP as 'self').
declare module '*?worker' {
  const WorkerConstructor: new () => Worker;
  export default WorkerConstructor;
}
