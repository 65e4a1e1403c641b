pub mod notification;
pub mod signing;
pub mod size;
