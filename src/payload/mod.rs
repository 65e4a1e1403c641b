pub mod notification;
pub mod signing;
