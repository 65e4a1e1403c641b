pub mod notification;
pub mod signing;
pub mod size;
pub mod webhook_message;
