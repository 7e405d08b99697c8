# A bus is imported by its topic ARN. The regions are found from the topic's
# SQS subscriptions, and each region's queues, function, event source
# mapping, role and alarms from the queue and the bus's naming convention.
terraform import regis_bus.hotels arn:aws:sns:ap-southeast-1:123456789012:hotels
