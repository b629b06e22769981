// Manual offset management (Karafka's `manual_offset_management`), a built-in feature registered
// by default: a route with `manualOffsetManagement: true` marks nothing when consume() returns;
// only markAsConsumed() (or a transaction) moves its offsets.
import { isBoolean } from '../../contract-rules';
import type { RouteExtension } from '../../routing/route-extension';
import type { Feature } from '../feature';

/** The `manualOffsetManagement` key of a topic route. */
export type ManualOffsetManagementDefinition = boolean;

declare module '../../routing/route-extension' {
  interface TopicRouteExtensions {
    /** `true`: only `markAsConsumed()` marks offsets; nothing is marked after `consume()` on its own. Default `false`. Alias `manual_offset_management`. */
    manualOffsetManagement?: ManualOffsetManagementDefinition;
    manual_offset_management?: ManualOffsetManagementDefinition;
  }
  interface TopicSettings {
    /** Only markAsConsumed() marks offsets of this topic. */
    readonly manualOffsetManagement: boolean;
  }
}

const manualOffsetManagementRoute: RouteExtension<boolean> = {
  key: 'manualOffsetManagement',
  aliases: ['manual_offset_management'],
  level: 'topic',
  resolve(value, path, issues) {
    issues.optional(path, value, isBoolean);
    return value === true;
  },
};

export const MANUAL_OFFSETS_FEATURE = 'manual-offset-management';

export function manualOffsetManagement(): Feature {
  return {
    name: MANUAL_OFFSETS_FEATURE,
    packageName: '@decanter/consumer-core',
    routes: [manualOffsetManagementRoute],
    behaviour: (topic) => (topic.manualOffsetManagement ? { manualOffsetManagement: true } : null),
  };
}
