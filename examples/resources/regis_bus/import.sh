# A bus is imported by its name and home region, "<name>@<home_region>". Its
# regions are found from the names of its consumer roles
# (<name>-consumer-<region>) and from its topic's subscriptions, and each
# region's objects by their names.
terraform import regis_bus.hotels hotels@ap-southeast-1

# The ARN of the bus's topic works too, also when the topic no longer exists.
terraform import regis_bus.hotels arn:aws:sns:ap-southeast-1:123456789012:hotels
