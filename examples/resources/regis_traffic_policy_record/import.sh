# A policy record is imported by its traffic policy instance id.
terraform import regis_traffic_policy_record.www 7c1e5a3b-2d4f-4a6b-8c9d-0e1f2a3b4c5d
