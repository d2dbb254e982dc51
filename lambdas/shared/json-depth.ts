/**
 * How deeply a parsed JSON value nests, measured without recursion: hostile input nested thousands of levels deep
 * parses fine but makes recursive code (JSON.stringify, canonicalization, evaluators) throw RangeError. Check this
 * right after parsing and refuse the value with a 4xx instead.
 */
export function jsonDepthExceeds(value: unknown, maxDepth: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}
