// Types shared by main.bicep and the modules (compile-time imports: `import { ... } from '../types.bicep'`).

@export()
@description('Resource tags: name -> value.')
type resourceTags = {
  *: string
}

@export()
@description('A map of names to string values: app settings, Key Vault secrets.')
type stringMap = {
  *: string
}
