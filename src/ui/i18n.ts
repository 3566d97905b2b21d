/** The pages' words (I18N1): the implementation is `src/i18n`, shared with the background's notifications. */
export * from '../i18n';
