# By policy id and keys: the versions listed, under the keys of your
# configuration (here versions 1, 2 and 3 as stages 0, 10 and 100).
terraform import regis_traffic_policy.app 4a8d2f6e-1c3b-4e5f-9a7b-2d4c6e8f0a1b:0=1,10=2,100=3

# By policy id alone: every version of the policy, keyed by its number.
terraform import regis_traffic_policy.app 4a8d2f6e-1c3b-4e5f-9a7b-2d4c6e8f0a1b
