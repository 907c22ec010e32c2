export * from './policy';
export { getRetentionMonths, setRetentionMonths, RetentionRuleError } from './settings';
export { setLegalHold, liftLegalHold, listRetentionStandings, getRetentionNotice, getPurgeStates } from './holds';
export type { RetentionStanding } from './holds';
export { sweepRetention, startRetentionSweep, type PurgeReport } from './purge';
