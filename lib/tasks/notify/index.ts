/** Notifications: a webhook or a Telegram chat, sent from the controller. */
export { notify, type NotifyParams, type NotifyOutput, type WebhookTarget, type TelegramTarget } from "./notify.js";
