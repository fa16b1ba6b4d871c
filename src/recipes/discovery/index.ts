/** Service discovery in curator-x-discovery's layout: ServiceRegistry, ServiceLocator, their types. */
export * from '../service-locator.js';
export * from '../service-registry.js';
export { ServiceInstanceParseError, ServiceNotRegisteredError } from './errors.js';
export {
  type JsonValue,
  SERVICE_TYPES,
  type ServiceInstance,
  type ServiceInstanceInput,
  type ServiceType,
} from './instance.js';
export { STRATEGIES, type StrategyName } from './strategies.js';
