// `chatrec eval news`: not written yet (issue #25 point 5).
export function runEvalNewsCli(_args: string[]): Promise<void> {
  return Promise.reject(new Error("chatrec eval news is not available yet"));
}
