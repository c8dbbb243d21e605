/**
 * Feedback: opinions of agencies and members on indicators, each logged, aggregated into a status.
 */
export { createOpinionService, FeedbackError, MAX_NOTE_LENGTH } from './opinions.js';
export type { OpinionService, OpinionAuthor, OpinionInput, RecordedOpinion, OpinionView, FeedbackErrorCode } from './opinions.js';
