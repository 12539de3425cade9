// aws-local-stepfunctions 3 is built for Node 22; the one newer built-in it calls is Promise.withResolvers.
// Loaded with `node --import`, so the same scripts run on Node 20 and, unchanged, on Node 22.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
