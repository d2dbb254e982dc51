/**
 * The three distribution functions the statistics need, from jStat (no type definitions ship with
 * it, so this file gives the few functions we use a type and keeps the untyped import in one place).
 */
interface JStat {
  studentt: { cdf(x: number, dof: number): number; inv(p: number, dof: number): number };
  chisquare: { cdf(x: number, dof: number): number };
}

const { jStat } = require('jstat') as { jStat: JStat };

/** P(T <= x) for Student's t with `dof` degrees of freedom. */
export function studentTCdf(x: number, dof: number): number {
  return jStat.studentt.cdf(x, dof);
}

/** The x with P(T <= x) = p for Student's t with `dof` degrees of freedom. */
export function studentTQuantile(p: number, dof: number): number {
  return jStat.studentt.inv(p, dof);
}

/** P(X > x) for a chi-square variable with `dof` degrees of freedom. */
export function chiSquareSurvival(x: number, dof: number): number {
  return 1 - jStat.chisquare.cdf(x, dof);
}
