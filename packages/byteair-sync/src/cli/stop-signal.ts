/** Resolves on the first SIGINT or SIGTERM; a second one exits at once (a stuck drain must not trap the operator). */
export function stopSignal(onSecond: () => void): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (): void => {
      if (stopping) {
        onSecond();
        process.exit(130);
      }
      stopping = true;
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
