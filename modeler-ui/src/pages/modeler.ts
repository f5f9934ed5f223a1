export function render(root: HTMLElement) {
  root.append('dashboard');
}
