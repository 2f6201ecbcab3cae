using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace FastS3.Tests.Architecture;

/// <summary>One use of a type: the namespace and type that use it, and its full name (namespace.Type).</summary>
internal readonly record struct TypeUse(string FromNamespace, string FromType, string Namespace, string Type);

/// <summary>
/// Reads, from a compiled assembly, every type each of its types uses: base types, interfaces,
/// fields, signatures, locals, and every type, method and field a method body names (IL tokens).
/// What the compiler put in the assembly, so a fully qualified name or a <c>global using</c> hides
/// nothing, as it could from a scan of <c>using</c> lines.
/// </summary>
internal static class DependencyReader
{
    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value, code => code.OperandType);

    public static List<TypeUse> Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        MetadataReader reader = pe.GetMetadataReader();
        var uses = new List<TypeUse>();
        foreach (TypeDefinitionHandle handle in reader.TypeDefinitions)
        {
            TypeDefinition type = reader.GetTypeDefinition(handle);
            (string fromNamespace, string fromType) = Name(reader, handle);
            if (fromType == "<Module>" || fromNamespace.Length == 0 && fromType.StartsWith('<'))
            {
                continue;
            }

            var collector = new Collector(reader);
            collector.Add(type.BaseType);
            foreach (InterfaceImplementationHandle implementation in type.GetInterfaceImplementations())
            {
                collector.Add(reader.GetInterfaceImplementation(implementation).Interface);
            }

            foreach (FieldDefinitionHandle field in type.GetFields())
            {
                reader.GetFieldDefinition(field).DecodeSignature(collector, null);
            }

            foreach (MethodDefinitionHandle methodHandle in type.GetMethods())
            {
                MethodDefinition method = reader.GetMethodDefinition(methodHandle);
                method.DecodeSignature(collector, null);
                if (method.RelativeVirtualAddress != 0)
                {
                    MethodBodyBlock body = pe.GetMethodBody(method.RelativeVirtualAddress);
                    if (!body.LocalSignature.IsNil)
                    {
                        reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(collector, null);
                    }

                    ScanIl(body.GetILReader(), collector);
                }
            }

            foreach ((string ns, string name) in collector.Types)
            {
                uses.Add(new TypeUse(fromNamespace, fromType, ns, name));
            }
        }

        return uses;
    }

    /// <summary>Every token an instruction names: types, methods, fields and signatures.</summary>
    private static void ScanIl(BlobReader il, Collector collector)
    {
        while (il.RemainingBytes > 0)
        {
            short code = il.ReadByte();
            if (code == 0xFE)
            {
                code = (short)(0xFE00 | il.ReadByte());
            }

            switch (Operands[code])
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineSwitch:
                    int targets = il.ReadInt32(); // before the next line reads Offset
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.ShortInlineR or OperandType.InlineString:
                    il.Offset += 4;
                    break;
                default: // InlineField, InlineMethod, InlineTok, InlineType, InlineSig
                    collector.Add(MetadataTokens.EntityHandle(il.ReadInt32()));
                    break;
            }
        }
    }

    /// <summary>The namespace and name of a type definition; a nested type counts as its outermost type's namespace.</summary>
    private static (string Namespace, string Name) Name(MetadataReader reader, TypeDefinitionHandle handle)
    {
        TypeDefinition type = reader.GetTypeDefinition(handle);
        string name = reader.GetString(type.Name);
        while (type.IsNested)
        {
            type = reader.GetTypeDefinition(type.GetDeclaringType());
            name = reader.GetString(type.Name) + "+" + name;
        }

        return (reader.GetString(type.Namespace), name);
    }

    private static (string Namespace, string Name) Name(MetadataReader reader, TypeReferenceHandle handle)
    {
        TypeReference type = reader.GetTypeReference(handle);
        string name = reader.GetString(type.Name);
        while (type.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            type = reader.GetTypeReference((TypeReferenceHandle)type.ResolutionScope);
            name = reader.GetString(type.Name) + "+" + name;
        }

        return (reader.GetString(type.Namespace), name);
    }

    /// <summary>Decodes signatures and tokens, keeping every type they name.</summary>
    private sealed class Collector(MetadataReader reader) : ISignatureTypeProvider<bool, object?>
    {
        public HashSet<(string Namespace, string Name)> Types { get; } = [];

        public void Add(EntityHandle handle)
        {
            if (handle.IsNil)
            {
                return;
            }

            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    Types.Add(Name(reader, (TypeDefinitionHandle)handle));
                    break;
                case HandleKind.TypeReference:
                    Types.Add(Name(reader, (TypeReferenceHandle)handle));
                    break;
                case HandleKind.TypeSpecification:
                    reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
                    break;
                case HandleKind.MethodDefinition:
                    MethodDefinition method = reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                    Add(method.GetDeclaringType());
                    method.DecodeSignature(this, null);
                    break;
                case HandleKind.FieldDefinition:
                    FieldDefinition field = reader.GetFieldDefinition((FieldDefinitionHandle)handle);
                    Add(field.GetDeclaringType());
                    field.DecodeSignature(this, null);
                    break;
                case HandleKind.MemberReference:
                    MemberReference member = reader.GetMemberReference((MemberReferenceHandle)handle);
                    Add(member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Method)
                    {
                        member.DecodeMethodSignature(this, null);
                    }
                    else
                    {
                        member.DecodeFieldSignature(this, null);
                    }

                    break;
                case HandleKind.MethodSpecification:
                    MethodSpecification specification = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    Add(specification.Method);
                    specification.DecodeSignature(this, null);
                    break;
                case HandleKind.StandaloneSignature:
                    StandaloneSignature signature = reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                    if (signature.GetKind() == StandaloneSignatureKind.Method)
                    {
                        signature.DecodeMethodSignature(this, null);
                    }

                    break;
            }
        }

        public bool GetTypeFromDefinition(MetadataReader metadata, TypeDefinitionHandle handle, byte rawTypeKind) => Types.Add(Name(metadata, handle));

        public bool GetTypeFromReference(MetadataReader metadata, TypeReferenceHandle handle, byte rawTypeKind) => Types.Add(Name(metadata, handle));

        public bool GetTypeFromSpecification(MetadataReader metadata, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind)
            => metadata.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public bool GetPrimitiveType(PrimitiveTypeCode typeCode) => false;

        public bool GetSZArrayType(bool elementType) => false;

        public bool GetArrayType(bool elementType, ArrayShape shape) => false;

        public bool GetByReferenceType(bool elementType) => false;

        public bool GetPointerType(bool elementType) => false;

        public bool GetPinnedType(bool elementType) => false;

        public bool GetGenericInstantiation(bool genericType, ImmutableArray<bool> typeArguments) => false;

        public bool GetGenericMethodParameter(object? genericContext, int index) => false;

        public bool GetGenericTypeParameter(object? genericContext, int index) => false;

        public bool GetFunctionPointerType(MethodSignature<bool> signature) => false;

        public bool GetModifiedType(bool modifier, bool unmodifiedType, bool isRequired) => false;
    }
}
