// Shows the latest deployed version of the home-broadband new-install process (issue: web UI grows from here).
const processId = new URLSearchParams(location.search).get('process') ?? 'home-broadband-new-install';
const status = document.getElementById('status');
const viewer = new BpmnJS({ container: '#canvas' });

async function load() {
  const res = await fetch(`/process-definitions/${encodeURIComponent(processId)}/xml`);
  if (!res.ok) {
    const problem = await res.json().catch(() => ({}));
    throw new Error(problem.detail ?? `HTTP ${res.status}`);
  }
  const xml = await res.text();
  await viewer.importXML(xml);
  viewer.get('canvas').zoom('fit-viewport');
  const name = viewer.get('canvas').getRootElement().businessObject.name ?? processId;
  document.getElementById('title').textContent = name;
  document.title = `${name} · 长流程编排`;
  status.textContent = `${processId} · version ${res.headers.get('x-process-version')}`;
}

load().catch((e) => {
  status.textContent = `无法加载流程图 Could not load the diagram: ${e.message}`;
  status.classList.add('error');
});
