/**
 * The operator's organisation as the processes see it: service grids (网格) belong to branches
 * (分公司). A grid code starts with its branch's city code (URC-TS-01 → Ürümqi).
 */
export const BRANCH_OF_CITY: Record<string, string> = {
  URC: 'urumqi',
  XA: 'xian',
};

export function branchOfGrid(grid: string | null | undefined): string | null {
  if (!grid) return null;
  return BRANCH_OF_CITY[grid.split('-')[0] ?? ''] ?? null;
}
