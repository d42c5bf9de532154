export * from './canonical-event.js';
export * from './delivery-verification.js';
export * from './secret-box.js';
export * from './github-transform.js';
export * from './transform.js';
export * from './significance.js';
export * from './memory-ingress.js';
export * from './memory-service.js';
